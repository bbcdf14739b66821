import { readFileSync } from "node:fs";
import { connect } from "node:net";

/**
 * The dynamic-provider host (`@pulumi/pulumi/cmd/dynamic-provider`, which the engine starts and we cannot change)
 * serves until the engine closes it. When the CLI is killed (SIGKILL, an OOM kill, a cancelled CI job) nobody
 * does, and the host ran on for over a minute, free to keep creating profiles no state would ever record. The
 * provider code is loaded into that host, so it watches for the engine itself and ends the process once it is gone:
 * its parent changed (the host was started directly and re-parented), the shell wrapper the engine started it
 * through (`pulumi-resource-pulumi-nodejs`, which waits for the host) was re-parented, or the engine's address, which
 * answered before, now refuses connections. The first look is taken at once: a `pulumi refresh` loads the provider
 * with its first read, and a CLI killed within the first second left a host that had never seen the engine answer,
 * and so never judged it gone.
 */

export interface EngineWatchOptions {
    intervalMs?: number;
    /** Refused probes in a row that count as "gone". */
    refusalsToExit?: number;
    exit?: () => void;
    /** The engine's address, where the caller knows it (the provider plugin); by default, the host's argument. */
    engine?: { host: string; port: number };
}

const HOST_SCRIPT = /[\\/]cmd[\\/]dynamic-provider([\\/]index(\.js)?)?$/;

let watching = false;

/** The engine address when this process is the dynamic-provider host (argv: node <host script> <engine address>). */
export function engineAddressOfHost(argv: readonly string[]): { host: string; port: number } | undefined {
    if (argv.length < 3 || !HOST_SCRIPT.test(argv[1] ?? "")) return undefined;
    return parseEngineAddress(argv[2]);
}

/** host:port (an IPv6 host in brackets); undefined for anything else. */
export function parseEngineAddress(address: string): { host: string; port: number } | undefined {
    const colon = address.lastIndexOf(":");
    const port = Number(address.slice(colon + 1));
    if (colon <= 0 || !Number.isInteger(port) || port <= 0 || port > 65535) return undefined;
    return { host: address.slice(0, colon).replace(/^\[(.*)\]$/, "$1"), port };
}

/** A process's parent pid, from /proc (Linux); undefined where it cannot be read. */
function parentOf(pid: number): number | undefined {
    try {
        // /proc/<pid>/stat: "pid (comm) state ppid ...", where comm may hold spaces and parentheses.
        const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        return Number.isInteger(ppid) ? ppid : undefined;
    } catch {
        return undefined;
    }
}

/** Whether a process is the engine's shell wrapper around the host (its command line names the plugin script). */
function isPluginWrapper(pid: number): boolean {
    try {
        return /pulumi-resource-pulumi-nodejs/.test(readFileSync(`/proc/${pid}/cmdline`, "latin1"));
    } catch {
        return false;
    }
}

/** Starts the watch when this process is the dynamic-provider host; does nothing anywhere else, or twice. */
export function exitWhenEngineGone(argv: readonly string[] = process.argv, options: EngineWatchOptions = {}): boolean {
    const engine = options.engine ?? engineAddressOfHost(argv);
    if (!engine || watching) return false;
    watching = true;
    const intervalMs = options.intervalMs ?? 1000;
    const refusalsToExit = options.refusalsToExit ?? 2;
    const exit = options.exit ?? (() => process.exit(1));
    const parent = process.ppid;
    // Started through the engine's shell wrapper: the engine is the wrapper's parent, and the wrapper outlives it.
    const wrapperParent = isPluginWrapper(parent) ? parentOf(parent) : undefined;
    // Only an engine that answered once can be judged gone: hosts started by hand or by tests get a dummy address.
    let answered = false;
    let refusals = 0;
    let probing = false;
    let stopped = false;

    const look = (): void => {
        if (stopped) return;
        const wrapperReparented = wrapperParent !== undefined && parentOf(parent) !== wrapperParent;
        if (process.ppid !== parent || wrapperReparented) {
            stopped = true;
            clearInterval(timer);
            exit();
            return;
        }
        if (probing) return;
        probing = true;
        const socket = connect({ host: engine.host, port: engine.port });
        socket.unref();
        socket.setTimeout(intervalMs);
        let settled = false;
        const done = (outcome: "answered" | "refused" | "unknown"): void => {
            if (settled) return;
            settled = true;
            socket.destroy();
            probing = false;
            if (outcome === "answered") {
                answered = true;
                refusals = 0;
            } else if (outcome === "refused" && answered && ++refusals >= refusalsToExit && !stopped) {
                stopped = true;
                clearInterval(timer);
                exit();
            }
        };
        socket.once("connect", () => done("answered"));
        socket.once("timeout", () => done("unknown"));
        socket.once("error", (err: NodeJS.ErrnoException) => done(err.code === "ECONNREFUSED" ? "refused" : "unknown"));
    };
    const timer = setInterval(look, intervalMs);
    timer.unref();
    look();
    return true;
}

// Loaded by the provider's host entry point: in the dynamic-provider host this arms the watch, elsewhere it is inert.
exitWhenEngineGone();
