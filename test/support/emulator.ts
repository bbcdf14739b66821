import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EmulatorOptions, RunningEmulator, startEmulator } from "../../emulator";

/** One emulator per suite, on a free port, with a TLS folder shared by the whole test run (generated once). */
export const TEST_TLS_DIR = process.env.INTUNE_EMULATOR_TLS_DIR ?? join(tmpdir(), "pulumi-intune-test-tls");

export function useEmulator(options: EmulatorOptions = {}): { readonly emulator: RunningEmulator } {
    const holder = {} as { emulator: RunningEmulator };
    before(async function () {
        this.timeout(60_000);
        holder.emulator = await startEmulator({ tlsDir: TEST_TLS_DIR, ...options });
    });
    beforeEach(() => holder.emulator.reset());
    after(async () => {
        await holder.emulator?.stop();
    });
    return holder;
}

const madeDirs: string[] = [];

/**
 * A new folder under the system's temporary one, removed when the test process exits: the emulator state files,
 * certificates and token files tests put there hold (emulated) secrets, and a suite run would otherwise leave a
 * dozen such folders behind every time.
 */
export function tempDir(prefix: string): string {
    if (madeDirs.length === 0) {
        process.once("exit", () => {
            for (const dir of madeDirs) {
                try {
                    rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
                } catch {
                    // A child still writing there: leave that one, remove the others, and keep the run's exit code.
                }
            }
        });
    }
    const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
    madeDirs.push(dir);
    return dir;
}
