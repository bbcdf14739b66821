import { readFileSync } from "node:fs";
import { createSecureContext, rootCertificates, SecureContext } from "node:tls";

/**
 * The TLS trust of every connection the provider opens when intune:caCertificatePath adds a CA (the emulator, a
 * TLS-inspecting proxy): the public roots Node ships, the certificates of NODE_EXTRA_CA_CERTS (which Node leaves out
 * as soon as a context names its CAs), and that CA. Built once per CA and shared by Graph's connections and the
 * sign-in's: building one parses every root certificate.
 */
const contexts = new Map<string, SecureContext>();

export function trustingAlso(caPem: string): SecureContext {
    let context = contexts.get(caPem);
    if (!context) contexts.set(caPem, (context = createSecureContext({ ca: [...rootCertificates, ...extraCaCertificates(), caPem] })));
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
