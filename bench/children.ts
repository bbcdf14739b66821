import { ChildProcess, fork, ForkOptions } from "node:child_process";
import { join } from "node:path";
import { descendantsOf } from "./procWatch";

/**
 * Every child process the benchmark starts goes through here, so that however the run ends (done, crashed,
 * interrupted) each one is stopped, by its own pid and nothing else.
 */

const running = new Set<ChildProcess>();

export function track(child: ChildProcess): ChildProcess {
    running.add(child);
    child.once("exit", () => running.delete(child));
    return child;
}

export function killAll(): void {
    for (const child of running) {
        if (child.exitCode === null && child.signalCode === null) {
            try {
                child.kill("SIGKILL");
            } catch {
                // already gone
            }
        }
    }
    running.clear();
    // Whatever those started in turn (the Pulumi CLI and its plugins, hosts), by pid, deepest first.
    for (const pid of descendantsOf(process.pid)) {
        try {
            process.kill(pid, "SIGKILL");
        } catch {
            // already gone
        }
    }
}

process.once("exit", killAll);
for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
        killAll();
        process.exit(130);
    });
}

/** A message-based link to a forked bench script (dist/bench/<script>.js). */
export class ChildLink {
    private readonly waiting: { type: string; resolve: (m: Record<string, unknown>) => void; reject: (e: Error) => void }[] = [];
    private readonly inbox: Record<string, unknown>[] = [];
    private stderr = "";
    private exited: Promise<number | null>;
    private exitCode: number | null | undefined;
    private nextId = 1;

    constructor(
        readonly child: ChildProcess,
        readonly name: string,
    ) {
        track(child);
        child.stderr?.on("data", (c: Buffer) => {
            this.stderr = (this.stderr + c.toString("utf8")).slice(-8000);
        });
        child.on("message", (m: Record<string, unknown>) => {
            const i = this.waiting.findIndex((w) => w.type === m.type);
            if (i >= 0) this.waiting.splice(i, 1)[0].resolve(m);
            else this.inbox.push(m);
        });
        this.exited = new Promise((resolve) => {
            child.once("exit", (code, signal) => {
                this.exitCode = code;
                const why = new Error(
                    `${name} exited (${code ?? signal}) ${this.stderr ? `\nits stderr:\n${this.stderr.trim().split("\n").slice(-20).join("\n")}` : ""}`,
                );
                for (const w of this.waiting.splice(0)) w.reject(why);
                resolve(code);
            });
        });
    }

    static fork(script: string, name: string, env: NodeJS.ProcessEnv = {}, options: ForkOptions = {}): ChildLink {
        const child = fork(join(__dirname, script), [], { env: { ...process.env, ...env }, stdio: ["ignore", "inherit", "pipe", "ipc"], ...options });
        return new ChildLink(child, name);
    }

    /** The next message of `type` (already received or still to come). */
    next(type: string): Promise<Record<string, unknown>> {
        const i = this.inbox.findIndex((m) => m.type === type);
        if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0]);
        if (this.exitCode !== undefined)
            return Promise.reject(new Error(`${this.name} has exited${this.stderr ? `: ${this.stderr.trim().split("\n").slice(-10).join("\n")}` : ""}`));
        return new Promise((resolve, reject) => this.waiting.push({ type, resolve, reject }));
    }

    /** Sends a command and waits for the answer of type `${cmd}:done`. */
    async call(cmd: string, arg?: unknown): Promise<Record<string, unknown>> {
        const id = this.nextId++;
        this.child.send({ cmd, arg, id });
        const answer = await this.next(`${cmd}:done`);
        if (typeof answer.error === "string") throw new Error(`${this.name}: ${cmd} failed: ${answer.error}`);
        return answer;
    }

    send(message: Record<string, unknown>): void {
        this.child.send(message);
    }

    async stop(timeoutMs = 5000): Promise<void> {
        if (this.exitCode !== undefined) return;
        try {
            this.child.send({ cmd: "stop" });
        } catch {
            // channel closed
        }
        const timer = setTimeout(() => this.child.kill("SIGKILL"), timeoutMs);
        await this.exited;
        clearTimeout(timer);
    }
}
