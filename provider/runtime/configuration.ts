import { engineLog } from "./engineLog";
import { ProviderSettings, resolveSettings, unknownEnvironmentVariables } from "./settings";

/**
 * Provider settings for this process. The dynamic-provider host calls `configure` once per provider text, lazily,
 * and may run other calls before it finishes: so configure stores a promise at once, every operation awaits it,
 * and a configuration error is remembered and raised by every operation, not only the first.
 */

export interface ConfigReader {
    get(key: string): unknown;
    /** Every key the stack's config holds, where the reader can tell (an unknown `intune:*` key is an error). */
    keys?(): string[];
}

/**
 * The keys a config holds: from the reader, or from the dynamic-provider host's config object, which keeps the whole
 * stack config it was configured with as `rawConfig` (the host's own class; no other way to list them is offered).
 */
function keysOf(config: ConfigReader): string[] {
    if (config.keys) return config.keys();
    const raw = (config as { rawConfig?: unknown }).rawConfig;
    return typeof raw === "object" && raw !== null ? Object.keys(raw) : [];
}

let configured: Promise<ProviderSettings> | undefined;

export function configure(config: ConfigReader): void {
    configured = settle(() => resolveSettings((key) => asString(config.get(key)), process.env, keysOf(config)));
}

/** The settings to use: from configure, or (no configure call, e.g. outside Pulumi) from the environment. */
export function providerSettings(): Promise<ProviderSettings> {
    configured ??= settle(() => resolveSettings(() => undefined));
    return configured;
}

/**
 * Settings for code that runs in the Pulumi program itself (the lookup functions), from the program's `intune:`
 * config: resolved exactly as the provider host resolves its own, embedded emulator included.
 */
export function programSettings(config: ConfigReader): Promise<ProviderSettings> {
    return settle(() => resolveSettings((key) => asString(config.get(key)), process.env, keysOf(config)));
}

/** Forget the settings (tests that switch configuration within one process). */
export function resetConfiguration(): void {
    configured = undefined;
}

/**
 * The emulator (QR rendering, certificate generation) costs a provider host ~100 ms and several MB to load:
 * only a run without a tenant pays for it.
 */
export function useEmbeddedEmulator(settings: ProviderSettings): Promise<ProviderSettings> {
    const embedded = require("./embeddedEmulator") as typeof import("./embeddedEmulator");
    return embedded.startEmbeddedEmulator(settings);
}

let environmentChecked = false;

function settle(resolve: () => ProviderSettings): Promise<ProviderSettings> {
    const promise = (async () => {
        // A misspelt variable is a warning, not an error: the environment is shared with other tools.
        if (!environmentChecked) {
            environmentChecked = true;
            for (const warning of unknownEnvironmentVariables(process.env)) await engineLog("warning", `intune: ${warning}`);
        }
        const settings = resolve();
        return settings.useEmbeddedEmulator ? useEmbeddedEmulator(settings) : settings;
    })();
    // Awaited by every operation; without this an early failure would count as an unhandled rejection in the host.
    promise.catch(() => undefined);
    return promise;
}

function asString(value: unknown): string | undefined {
    if (value === undefined || value === null) return undefined;
    return typeof value === "string" ? value : JSON.stringify(value);
}
