import { mkdtempSync } from "node:fs";
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

export function tempDir(prefix: string): string {
    return mkdtempSync(join(tmpdir(), `${prefix}-`));
}
