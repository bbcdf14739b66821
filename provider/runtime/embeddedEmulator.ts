import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { startEmulator } from "../../emulator";
import { ProviderSettings } from "./settings";
import { engineLog } from "./engineLog";

/**
 * When the program opts in (`intune:emulator`), the provider runs against a Graph emulator started inside its own
 * process, keeping its profiles in `.intune-emulator/` beside the Pulumi program so that later runs (refresh,
 * destroy) find them. It says so as a warning on every run: nobody must believe a run on it deployed to Intune.
 */

let running: Promise<ProviderSettings> | undefined;

export function embeddedEmulatorDir(): string {
    return resolve(process.env.INTUNE_EMULATOR_DIR ?? join(process.cwd(), ".intune-emulator"));
}

export function startEmbeddedEmulator(base: ProviderSettings): Promise<ProviderSettings> {
    running ??= (async () => {
        const dir = embeddedEmulatorDir();
        mkdirSync(dir, { recursive: true });
        const emulator = await startEmulator({ stateFile: join(dir, "state.json"), tlsDir: join(dir, "tls") });
        // The host exits when the engine is done with it; the emulator must not keep it alive.
        emulator.unref();
        const ignored = [base.tenantId && "the tenant id", base.clientId && "the client id", base.auth.method !== "default" && "the sign-in"].filter(Boolean);
        await engineLog(
            "warning",
            `intune:emulator is true: profiles go to the embedded Graph emulator at ${emulator.url} (state in ${dir}). Nothing is deployed ` +
                `to Microsoft Intune${ignored.length ? `; the configured ${ignored.join(", ")} are not used` : ""}. Remove intune:emulator (and INTUNE_EMULATOR) to deploy to a tenant.`,
        );
        return {
            ...base,
            graphRoot: emulator.graphUrl,
            authorityHost: emulator.authorityHost,
            tenantId: emulator.tenantId,
            clientId: emulator.defaultApp.clientId,
            auth: { method: "clientSecret" as const, clientSecret: emulator.defaultApp.secret },
            caCertificate: emulator.caPem,
            disableInstanceDiscovery: true,
        };
    })();
    return running;
}
