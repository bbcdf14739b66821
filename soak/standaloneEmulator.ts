import { ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { track } from "../bench/children";
import type { EmulatorCliInfo, Entity, FaultSettings, ThrottleSettings } from "../emulator";

/**
 * The standalone emulator (`npm run emulator`, dist/emulator/cli.js) in a process of its own, driven the way a
 * user or a pipeline drives it: flags at start, then its admin endpoint. Graph is remote in real life, so its CPU
 * (QR codes, JSON, TLS) does not share an event loop with the provider under test, and it can be killed.
 */

export interface StandaloneOptions {
    /** 0 picks a free port; a restart passes the port the first process had. */
    port?: number;
    stateFile?: string;
    tlsDir?: string;
    /** Extra CLI flags. */
    args?: string[];
}

const CLI = join(__dirname, "..", "emulator", "cli.js");

export class StandaloneEmulator {
    readonly caPem: string;
    /** What the process wrote, for the secrets sweep and for errors. */
    output = "";
    private readonly exited: Promise<void>;

    private constructor(
        private readonly child: ChildProcess,
        readonly info: EmulatorCliInfo,
        readonly options: StandaloneOptions,
    ) {
        this.caPem = readFileSync(info.caCertificate, "utf8");
        this.exited = new Promise((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) resolve();
            else child.once("exit", () => resolve());
        });
    }

    static start(options: StandaloneOptions = {}): Promise<StandaloneEmulator> {
        const argv = [CLI, "--json", "--port", String(options.port ?? 0)];
        if (options.stateFile) argv.push("--state-file", options.stateFile);
        if (options.tlsDir) argv.push("--tls-dir", options.tlsDir);
        argv.push(...(options.args ?? []));
        const child = track(spawn(process.execPath, argv, { stdio: ["ignore", "pipe", "pipe"] }));
        let stderr = "";
        child.stderr!.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
        return new Promise((resolve, reject) => {
            const lines = createInterface({ input: child.stdout! });
            const onExit = (code: number | null): void => reject(new Error(`the emulator exited (${code}) before it listened: ${stderr.trim()}`));
            child.once("exit", onExit);
            lines.once("line", (line) => {
                child.off("exit", onExit);
                try {
                    const emulator = new StandaloneEmulator(child, JSON.parse(line) as EmulatorCliInfo, options);
                    emulator.output = line + "\n";
                    child.stdout!.on("data", (c: Buffer) => (emulator.output += c.toString("utf8")));
                    child.stderr!.on("data", (c: Buffer) => (emulator.output += c.toString("utf8")));
                    resolve(emulator);
                } catch (err) {
                    child.kill("SIGKILL");
                    reject(new Error(`the emulator printed a line that is not JSON (${String(err)}): ${line}`));
                }
            });
        });
    }

    /** What it wrote after its start-up line (which hands the user its own credentials, by design). */
    log(): string {
        return this.output.slice(this.output.indexOf("\n") + 1);
    }

    get pid(): number | undefined {
        return this.child.pid;
    }

    get port(): number {
        return Number(new URL(this.info.url).port);
    }

    /** Sends the signal and resolves once the process is gone. */
    async kill(signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
        if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
        await this.exited;
    }

    /** The stack config a pipeline would set for this emulator, plus extra `intune:` keys. */
    providerConfig(extra: Record<string, string> = {}): Record<string, string> {
        return {
            "intune:tenantId": this.info.tenantId,
            "intune:clientId": this.info.clientId,
            "intune:clientSecret": this.info.clientSecret,
            "intune:graphEndpoint": this.info.url,
            "intune:authorityHost": this.info.url,
            "intune:caCertificatePath": this.info.caCertificate,
            ...extra,
        };
    }

    async admin(method: string, path: string, body?: unknown): Promise<unknown> {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        return new Promise((resolve, reject) => {
            const req = request(
                `${this.info.url}/_emulator${path}`,
                {
                    method,
                    ca: this.caPem,
                    headers: payload === undefined ? {} : { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(payload) },
                },
                (res) => {
                    let text = "";
                    res.on("data", (c: Buffer) => (text += c.toString("utf8")));
                    res.on("end", () => {
                        if ((res.statusCode ?? 0) >= 300) return reject(new Error(`admin ${method} ${path} answered ${res.statusCode}: ${text}`));
                        resolve(text ? JSON.parse(text) : undefined);
                    });
                },
            );
            req.on("error", reject);
            req.end(payload);
        });
    }

    setFaults(patch: Partial<FaultSettings>): Promise<unknown> {
        return this.admin("PATCH", "/faults", patch);
    }

    clearFaults(): Promise<unknown> {
        return this.admin("DELETE", "/faults");
    }

    setThrottle(patch: Partial<ThrottleSettings>): Promise<unknown> {
        return this.admin("PATCH", "/throttle", patch);
    }

    setClockOffset(offsetMs: number): Promise<unknown> {
        return this.admin("POST", "/clock", { offsetMs });
    }

    /** Every stored profile of both types, secrets included, as the service holds them. */
    async profiles(): Promise<Entity[]> {
        const of = async (collection: string): Promise<Entity[]> => ((await this.admin("GET", `/profiles/${collection}`)) as { value: Entity[] }).value;
        return [...(await of("androidDeviceOwnerEnrollmentProfiles")), ...(await of("androidForWorkEnrollmentProfiles"))];
    }

    async requestCount(): Promise<{ total: number; byStatus: Record<string, number> }> {
        const { value } = (await this.admin("GET", "/requests")) as { value: { status: number }[] };
        const byStatus: Record<string, number> = {};
        for (const r of value) byStatus[String(r.status)] = (byStatus[String(r.status)] ?? 0) + 1;
        return { total: value.length, byStatus };
    }
}
