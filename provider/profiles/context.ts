import { GraphClient, sharedClient } from "../graph/client";
import { ProviderSettings } from "../runtime/settings";

export interface ProfileContext {
    client: GraphClient;
    settings: ProviderSettings;
    /** The service's clock: tokens expire by it. */
    now: () => number;
}

const contexts = new WeakMap<ProviderSettings, ProfileContext>();

/** The context every profile operation runs in: the process's shared client for these settings, one per settings object. */
export function profileContext(settings: ProviderSettings): ProfileContext {
    let ctx = contexts.get(settings);
    if (!ctx) {
        const client = sharedClient(settings);
        contexts.set(settings, (ctx = { settings, client, now: () => client.serviceNow() }));
    }
    return ctx;
}
