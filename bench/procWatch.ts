import { readdirSync, readFileSync, readlinkSync, writeFileSync } from "node:fs";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** Parent pid of every process, from /proc (empty off Linux). */
function parentMap(): Map<number, number> {
    const parent = new Map<number, number>();
    let entries: string[];
    try {
        entries = readdirSync("/proc").filter((e) => /^\d+$/.test(e));
    } catch {
        return parent;
    }
    for (const e of entries) {
        try {
            const stat = readFileSync(`/proc/${e}/stat`, "utf8");
            // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ")".
            parent.set(Number(e), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
        } catch {
            // gone
        }
    }
    return parent;
}

/** Every process below `root` (children, grandchildren, ...), deepest first. */
export function descendantsOf(root: number = process.pid): number[] {
    const parent = parentMap();
    const depth = (pid: number): number => {
        let d = 0;
        for (let p = parent.get(pid); p !== undefined && p > 1 && d < 30; p = parent.get(p), d++) if (p === root) return d + 1;
        return 0;
    };
    return [...parent.keys()]
        .map((pid) => [pid, depth(pid)] as const)
        .filter(([, d]) => d > 0)
        .sort((a, b) => b[1] - a[1])
        .map(([pid]) => pid);
}

/** A full collection in this process (V8's gc, exposed for the moment it takes). */
function collectGarbage(): void {
    setFlagsFromString("--expose-gc");
    (runInNewContext("gc") as () => void)();
}

/** The processes a `pulumi up` of this benchmark runs, by what they do. */
export type EngineRole = "cli" | "languageHost" | "providerHost" | "other";

export interface EnginePeaks {
    /** Peak RSS (Linux VmHWM) in MB of the largest process seen in each role; a role never seen is absent. */
    cli?: number;
    languageHost?: number;
    providerHost?: number;
    other?: number;
    /**
     * Bytes the busiest `pulumi` process wrote (`wchar` of /proc/<pid>/io, in MB): with a file backend, mostly the
     * checkpoints, which the engine writes whole after every step. Sampled like the peaks: what the process wrote
     * in its last interval before exiting (the final checkpoint, at most) can be missed.
     */
    cliWrittenMB?: number;
    /** What was seen, for the JSON: pid, role, command and peak in MB. */
    processes: { pid: number; role: EngineRole; command: string; peakMB: number }[];
}

const peakKB = (pid: number | "self"): number | undefined => {
    const hwm = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return hwm ? Number(hwm[1]) : undefined;
};

function roleOf(command: string, exe: string): EngineRole {
    if (command.includes("dynamic-provider")) return "providerHost";
    if (/(^|\/)pulumi-language-/.test(exe) || command.includes("pulumi-language-")) return "languageHost";
    if (/(^|\/)pulumi$/.test(exe)) return "cli";
    return "other";
}

/**
 * Peak memory of every process a `pulumi up` started below this one, by role: the `pulumi` CLI itself (the engine,
 * which holds the state and writes the checkpoint), a language host, the dynamic-provider host, anything else. Each
 * is the Linux high-water mark (VmHWM) sampled from /proc while the run goes, so a peak in the last interval before
 * a process exits can be missed; the state the CLI holds grows through the run, so its peak is not a last-moment one.
 *
 * An inline program (the Automation API) runs in this very process, which is then the language host: before the run
 * its garbage is collected and its high-water mark reset (`/proc/self/clear_refs`), so what it reports is this run's
 * on top of what the benchmark holds live, not the earlier parts' garbage. Only descendants of this process are looked at, never anyone else's. Off Linux it
 * reports nothing.
 */
export class EngineMemoryWatch {
    private timer: NodeJS.Timeout | undefined;
    private readonly seen = new Map<number, { role: EngineRole; command: string; kb: number; written: number }>();
    private selfResetOk = false;

    constructor(private readonly inlineProgram: boolean) {}

    start(everyMs = 200): this {
        if (this.inlineProgram) {
            collectGarbage();
            try {
                writeFileSync("/proc/self/clear_refs", "5");
                this.selfResetOk = true;
            } catch {
                // an older kernel or no /proc: this process's peak is then left out rather than overstated
            }
        }
        this.sample();
        this.timer = setInterval(() => this.sample(), everyMs);
        this.timer.unref();
        return this;
    }

    stop(): EnginePeaks {
        if (this.timer) clearInterval(this.timer);
        this.sample();
        const peaks: EnginePeaks = { processes: [] };
        for (const [pid, p] of this.seen) {
            const mb = p.kb / 1024;
            peaks.processes.push({ pid, role: p.role, command: p.command, peakMB: Math.round(mb) });
            peaks[p.role] = Math.max(peaks[p.role] ?? 0, mb);
            if (p.role === "cli") peaks.cliWrittenMB = Math.max(peaks.cliWrittenMB ?? 0, p.written / 2 ** 20);
        }
        if (this.inlineProgram && this.selfResetOk) {
            try {
                const kb = peakKB("self");
                if (kb !== undefined) {
                    peaks.languageHost = Math.max(peaks.languageHost ?? 0, kb / 1024);
                    peaks.processes.push({ pid: process.pid, role: "languageHost", command: "this benchmark (inline program)", peakMB: Math.round(kb / 1024) });
                }
            } catch {
                // no /proc
            }
        }
        return peaks;
    }

    private sample(): void {
        for (const pid of descendantsOf(process.pid)) {
            try {
                let known = this.seen.get(pid);
                if (!known) {
                    const command = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
                    let exe = "";
                    try {
                        exe = readlinkSync(`/proc/${pid}/exe`);
                    } catch {
                        exe = command.split(" ")[0] ?? "";
                    }
                    // The benchmark's own children (emulator, provider stand-ins) are not the engine's.
                    if (command.includes("dist/bench/")) continue;
                    known = { role: roleOf(command, exe), command: command.slice(0, 160), kb: 0, written: 0 };
                    this.seen.set(pid, known);
                }
                known.kb = Math.max(known.kb, peakKB(pid) ?? 0);
                if (known.role === "cli") {
                    const wchar = /wchar:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/io`, "utf8"));
                    if (wchar) known.written = Math.max(known.written, Number(wchar[1]));
                }
            } catch {
                // gone
            }
        }
    }
}
