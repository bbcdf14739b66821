import { ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { EmulatorCliInfo } from "../../emulator";
import { GraphTarget } from "./emulatorGraph";

/** The emulator as `npm run emulator` runs it: a separate Node process started from the compiled CLI. */

export interface CliEmulator {
    info: EmulatorCliInfo;
    /** For a Graph caller: the Graph root and the CA it must trust. */
    target: GraphTarget;
    /** Sends `signal` and resolves once the process is gone. */
    kill(signal: NodeJS.Signals): Promise<void>;
}

// Compiled to dist/test/support/; the CLI is dist/emulator/cli.js.
const CLI = join(__dirname, "..", "..", "emulator", "cli.js");

export interface CliProcessOptions {
    /**
     * RLIMIT_FSIZE for the process, in KiB (bash `ulimit -f`): writing a bigger file fails with EFBIG, a disk-full
     * stand-in that works for root as well (file modes do not stop root).
     */
    fileSizeLimitKb?: number;
}

export function startCliEmulator(args: string[], options: CliProcessOptions = {}): Promise<CliEmulator> {
    const argv = [CLI, "--port", "0", "--json", ...args];
    const child: ChildProcess =
        options.fileSizeLimitKb === undefined
            ? spawn(process.execPath, argv, { stdio: ["ignore", "pipe", "pipe"] })
            : spawn("bash", ["-c", 'ulimit -f "$1" && exec "$0" "${@:2}"', process.execPath, String(options.fileSizeLimitKb), ...argv], {
                  stdio: ["ignore", "pipe", "pipe"],
              });
    const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
    let stderr = "";
    child.stderr!.on("data", (c: Buffer) => (stderr += c.toString("utf8")));
    return new Promise<CliEmulator>((resolve, reject) => {
        const lines = createInterface({ input: child.stdout! });
        const fail = (why: string): void => reject(new Error(`emulator CLI ${why}: ${stderr}`));
        child.once("exit", (code) => fail(`exited with ${code} before printing its JSON line`));
        lines.once("line", (line) => {
            try {
                const info = JSON.parse(line) as EmulatorCliInfo;
                resolve({
                    info,
                    target: { graphUrl: info.url, caPem: readFileSync(info.caCertificate, "utf8") },
                    kill: async (signal) => {
                        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
                        await exited;
                    },
                });
            } catch (err) {
                child.kill("SIGKILL");
                fail(`printed a line that is not JSON (${String(err)}): ${line}`);
            }
        });
    });
}
