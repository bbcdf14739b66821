import { readFileSync } from "node:fs";
import { createSecureContext, rootCertificates, SecureContext } from "node:tls";

/**
 * The TLS trust of every connection the provider opens when intune:caCertificatePath adds a CA (the emulator, a
 * TLS-inspecting proxy): the public roots Node ships, the certificates of NODE_EXTRA_CA_CERTS, and that CA.
 *
 * Built once per CA and shared by Graph's connections and the sign-in's. A `ca` option listing the roots instead
 * makes OpenSSL parse all ~145 of them again for every context: about 18 ms of blocked event loop each time, and the
 * sign-in's library builds one per connection, so a run paid it two or three times before its first Graph request.
 * Here the CA is added to a context that starts from Node's root store, which Node parsed once for the process.
 */
const contexts = new Map<string, SecureContext>();

export function trustingAlso(caPem: string): SecureContext {
    let context = contexts.get(caPem);
    if (!context) {
        // Node's own store leaves these out as soon as a context names its CAs, and so did a `ca` list.
        const extra = extraCaCertificates();
        context = createSecureContext();
        const native = (context as { context?: { addCACert?: (pem: string) => void } }).context;
        if (typeof native?.addCACert === "function") for (const pem of [...extra, caPem]) native.addCACert(pem);
        // A Node without the native hook: the documented option, at its cost.
        else context = createSecureContext({ ca: [...rootCertificates, ...extra, caPem] });
        contexts.set(caPem, context);
    }
    return context;
}

function extraCaCertificates(): string[] {
    const file = process.env.NODE_EXTRA_CA_CERTS;
    if (!file) return [];
    try {
        return [readFileSync(file, "utf8")];
    } catch {
        return []; // Node itself warned at start-up that it could not read it
    }
}
