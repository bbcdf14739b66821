import { Client, ClientOptions } from "@microsoft/microsoft-graph-client";
import { performance } from "node:perf_hooks";
import { Agent } from "undici";
import { COLLECTIONS, createBody, errorText, ProfileSpec, Props, SELECT, tokenBody } from "./common";
import { EmulatorProcess } from "./emulatorProcess";

/**
 * The rollout a hand-written script does with the Microsoft Graph JavaScript client and its default middleware
 * (Client.init: auth → RetryHandler (3 retries, Retry-After in seconds, 3 s base) → redirect → telemetry → fetch):
 * every create at once, then createToken where needed and a read of the token, with no pacing of its own.
 */
export async function sdkRollout(emulator: EmulatorProcess, specs: ProfileSpec[]): Promise<{ wallMs: number; failures: number; errors: string[] }> {
    const token = await emulator.issueToken();
    const { graphUrl, caPem } = emulator.info;
    // Node's fetch takes no `ca`: an undici Agent that trusts the emulator goes in as the dispatcher.
    const dispatcher = new Agent({ connect: { ca: caPem } });
    const client = Client.init({
        authProvider: (done) => done(null, token),
        baseUrl: `${graphUrl}/`,
        defaultVersion: "beta",
        // Without it the SDK sends the bearer token only to Microsoft's Graph hosts.
        customHosts: new Set([new URL(graphUrl).hostname]),
        fetchOptions: { dispatcher } as ClientOptions["fetchOptions"],
    });
    try {
        const started = performance.now();
        const results = await Promise.allSettled(
            specs.map(async (spec) => {
                const created = (await client.api(COLLECTIONS[spec.kind]).post(createBody(spec))) as Props;
                const id = String(created.id);
                if (spec.needsTokenCall) await client.api(`${COLLECTIONS[spec.kind]}/${id}/createToken`).post(tokenBody(spec));
                const read = (await client.api(`${COLLECTIONS[spec.kind]}/${id}`).select(SELECT[spec.kind]).get()) as Props;
                if (typeof read.tokenValue !== "string") throw new Error(`profile ${id} has no token`);
            }),
        );
        const wallMs = performance.now() - started;
        const errors = results
            .filter((r): r is PromiseRejectedResult => r.status === "rejected")
            .map((r) => {
                const e = r.reason as { statusCode?: number; code?: string; message?: string };
                if (!e || typeof e.statusCode !== "number") return errorText(r.reason);
                // -1: no HTTP answer (fetch threw); the SDK keeps only the message.
                return e.statusCode === -1 ? `no answer: ${e.code ?? ""} ${e.message ?? ""}`.trim() : `HTTP ${e.statusCode} ${e.code ?? ""}`.trim();
            });
        return { wallMs, failures: errors.length, errors: [...new Set(errors)].slice(0, 5) };
    } finally {
        await dispatcher.close().catch(() => undefined);
    }
}
