import { createHash, createPublicKey, createSign, createVerify, KeyObject, X509Certificate } from "node:crypto";

/** Just enough JOSE for an emulated identity provider: RS256 tokens it signs, and client assertions it checks. */

const b64url = (buf: Buffer): string => buf.toString("base64url");

export type Claims = Record<string, unknown>;

export interface DecodedJwt {
    header: Record<string, unknown>;
    claims: Claims;
    signingInput: string;
    signature: Buffer;
}

export function signJwt(claims: Claims, privateKeyPem: string, kid: string): string {
    const header = { typ: "JWT", alg: "RS256", kid };
    const input = `${b64url(Buffer.from(JSON.stringify(header)))}.${b64url(Buffer.from(JSON.stringify(claims)))}`;
    const signature = createSign("RSA-SHA256").update(input).sign(privateKeyPem);
    return `${input}.${b64url(signature)}`;
}

export function decodeJwt(token: string): DecodedJwt | undefined {
    const parts = token.split(".");
    if (parts.length !== 3) return undefined;
    try {
        return {
            header: JSON.parse(Buffer.from(parts[0], "base64url").toString("utf8")) as Record<string, unknown>,
            claims: JSON.parse(Buffer.from(parts[1], "base64url").toString("utf8")) as Claims,
            signingInput: `${parts[0]}.${parts[1]}`,
            signature: Buffer.from(parts[2], "base64url"),
        };
    } catch {
        return undefined;
    }
}

export function verifySignature(jwt: DecodedJwt, key: KeyObject | string): boolean {
    const alg = jwt.header.alg;
    const algorithm = alg === "PS256" ? "RSA-SHA256" : alg === "RS256" ? "RSA-SHA256" : undefined;
    if (!algorithm) return false;
    const verifier = createVerify(algorithm).update(jwt.signingInput);
    if (alg === "PS256") {
        return verifier.verify({ key: typeof key === "string" ? createPublicKey(key) : key, padding: 6, saltLength: 32 }, jwt.signature);
    }
    return verifier.verify(key, jwt.signature);
}

/** Thumbprints Entra ID matches a client assertion's `x5t` / `x5t#S256` header against. */
export function certificateThumbprints(certPem: string): { x5t: string; x5tS256: string; publicKey: KeyObject } {
    const cert = new X509Certificate(certPem);
    return {
        x5t: createHash("sha1").update(cert.raw).digest("base64url"),
        x5tS256: createHash("sha256").update(cert.raw).digest("base64url"),
        publicKey: cert.publicKey,
    };
}

export function jwkFromPublicKey(publicKeyPem: string, kid: string): Record<string, unknown> {
    const jwk = createPublicKey(publicKeyPem).export({ format: "jwk" });
    return { ...jwk, kid, use: "sig", alg: "RS256" };
}
