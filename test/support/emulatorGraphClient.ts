import { Client, ClientOptions } from "@microsoft/microsoft-graph-client";
import { Agent } from "undici";
import { RunningEmulator } from "../../emulator";

/**
 * The Microsoft Graph JavaScript SDK pointed at the emulator. In Node 20 the SDK calls the global fetch (undici),
 * which takes no per-request `ca`; an undici Agent whose connector trusts the emulator's CA goes in as the fetch
 * `dispatcher`. The SDK only attaches the bearer token to Graph hosts, so the emulator's host is a custom host.
 */
export interface EmulatorGraphClient {
    client: Client;
    close(): Promise<void>;
}

export function graphClientFor(emulator: RunningEmulator, token: () => string = () => emulator.issueToken()): EmulatorGraphClient {
    const dispatcher = new Agent({ connect: { ca: emulator.caPem } });
    const options: ClientOptions & { defaultVersion: string } = {
        authProvider: { getAccessToken: async () => token() },
        baseUrl: `${emulator.graphUrl}/`,
        defaultVersion: "beta",
        customHosts: new Set([new URL(emulator.graphUrl).hostname]),
        fetchOptions: { dispatcher } as ClientOptions["fetchOptions"],
    };
    const client = Client.initWithMiddleware(options);
    return { client, close: () => dispatcher.close() };
}
