import { TokenCredential } from "@azure/identity";
import { expect } from "chai";
import { createSign, generateKeyPairSync, randomUUID } from "node:crypto";
import selfsigned from "selfsigned";
import { RunningEmulator } from "../../emulator";
import { call } from "./http";

/** Signing in against the emulated Entra ID tenant, as spec §6 describes. */

export const GRAPH_SCOPE = "https://graph.microsoft.com/.default";

/** The @azure/identity options that point a credential at the emulator and trust its CA. */
export function credentialOptions(emulator: RunningEmulator): {
    authorityHost: string;
    disableInstanceDiscovery: boolean;
    tlsOptions: { ca: string };
} {
    return { authorityHost: emulator.authorityHost, disableInstanceDiscovery: true, tlsOptions: { ca: emulator.caPem } };
}

/** What a GitHub Actions job gets from ACTIONS_ID_TOKEN_REQUEST_URL (with its request token as bearer). */
export async function githubOidcToken(emulator: RunningEmulator, subject: string): Promise<string> {
    const res = await call(emulator.caPem, "GET", emulator.githubOidcRequestUrl(subject), { headers: { Authorization: "Bearer runner-request-token" } });
    if (res.status !== 200) throw new Error(`GitHub OIDC token request answered ${res.status}: ${res.text}`);
    return res.json.value as string;
}

/** A fresh self-signed certificate: `pem` is key + certificate (what ClientCertificateCredential reads), `certPem` the public part. */
export async function newCertificate(commonName: string): Promise<{ pem: string; certPem: string }> {
    const generated = await selfsigned.generate([{ name: "commonName", value: commonName }], { keySize: 2048, algorithm: "sha256" });
    return { pem: `${generated.private}\n${generated.cert}`, certPem: generated.cert };
}

/** Asserts that getting a Graph token fails with the given AADSTS error code. */
export async function expectSignInFails(credential: TokenCredential, aadstsCode: number, scope = GRAPH_SCOPE): Promise<void> {
    let failure: unknown;
    try {
        await credential.getToken(scope);
    } catch (err) {
        failure = err;
    }
    expect(failure, "sign-in should have failed").to.be.instanceOf(Error);
    expect((failure as Error).message).to.contain(String(aadstsCode));
}

/** Gets a Graph token or fails the test with the credential's own message. */
export async function signIn(credential: TokenCredential, scope = GRAPH_SCOPE): Promise<string> {
    const token = await credential.getToken(scope);
    if (!token) throw new Error("getToken returned null");
    return token.token;
}

/** A well-formed RS256 JWT with Graph-looking claims, signed by a key the emulator has never seen. */
export function foreignSignedToken(tenantId: string, clientId: string): string {
    const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const now = Math.floor(Date.now() / 1000);
    const b64 = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString("base64url");
    const input = `${b64({ typ: "JWT", alg: "RS256", kid: "emulator-signing-key" })}.${b64({
        aud: "https://graph.microsoft.com",
        iss: `https://sts.windows.net/${tenantId}/`,
        iat: now,
        nbf: now,
        exp: now + 3600,
        appid: clientId,
        tid: tenantId,
        roles: ["DeviceManagementConfiguration.ReadWrite.All"],
        uti: randomUUID(),
    })}`;
    return `${input}.${createSign("RSA-SHA256").update(input).sign(privateKey).toString("base64url")}`;
}
