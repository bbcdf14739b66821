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

/**
 * The certificates of NODE_EXTRA_CA_CERTS that Node's own roots do not already hold. A distribution's whole bundle
 * (Debian's has ~145 certificates, most of them Node's roots too) took ~17 ms of blocked event loop to parse before
 * the first connection; comparing the certificates as text costs a fraction of that. Anything that is not a plain
 * certificate block (a TRUSTED CERTIFICATE, say) is passed on as it is.
 */
function extraCaCertificates(): string[] {
    const file = process.env.NODE_EXTRA_CA_CERTS;
    if (!file) return [];
    let text: string;
    try {
        text = readFileSync(file, "utf8");
    } catch {
        return []; // Node itself warned at start-up that it could not read it
    }
    const bundled = new Set(rootCertificates.map(certificateBody));
    const blocks = text.match(PEM_BLOCK) ?? [];
    return blocks.filter((pem) => !pem.startsWith(PLAIN_CERTIFICATE) || !bundled.has(certificateBody(pem)));
}

const PLAIN_CERTIFICATE = "-----BEGIN CERTIFICATE-----";
const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]+-----[\s\S]*?-----END [A-Z0-9 ]+-----/g;
const certificateBody = (pem: string): string => pem.replace(/-----[A-Z0-9 ]+-----|\s/g, "");
