import { generateKeyPairSync, X509Certificate } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import selfsigned from "selfsigned";

/**
 * @azure/identity only talks to https authorities, so the emulator serves TLS with a certificate of its own CA.
 * The CA lives in a folder that outlives one run: a client process told to trust it (NODE_EXTRA_CA_CERTS, read by
 * Node only at start) keeps trusting the next emulator started with the same folder.
 */
export interface TlsMaterial {
    caPath: string;
    caPem: string;
    certPem: string;
    keyPem: string;
    /** RSA key the emulated identity provider signs access tokens and OIDC tokens with. */
    signingKeyPem: string;
    signingPublicKeyPem: string;
}

const FILES = { ca: "ca.pem", caKey: "ca-key.pem", cert: "server.pem", key: "server-key.pem", signing: "signing-key.pem" };

function writeAtomic(path: string, text: string): void {
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, text, { mode: 0o600 });
    renameSync(tmp, path);
}

function stillValid(certPem: string): boolean {
    const cert = new X509Certificate(certPem);
    const margin = 24 * 3600 * 1000;
    return Date.parse(cert.validTo) - margin > Date.now() && (cert.subjectAltName ?? "").includes("127.0.0.1");
}

/**
 * The folder holds the CA's private key, and clients are told to trust that CA: a folder someone else owns or can
 * write to could hand them a CA of that someone's choosing. Such a folder is refused, never trusted.
 */
export function ensurePrivateFolder(dir: string): void {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (process.platform === "win32" || typeof process.getuid !== "function") return; // POSIX owners and modes only
    const st = statSync(dir);
    const refuse = (why: string): never => {
        throw new Error(
            `refusing the emulator's TLS folder ${dir}: ${why}. It holds the CA key clients trust; ` +
                `use a folder of your own (--tls-dir or INTUNE_EMULATOR_TLS_DIR), or fix this one with chmod 700`,
        );
    };
    if (!st.isDirectory()) refuse("it is not a folder");
    if (st.uid !== process.getuid()) refuse(`it is owned by uid ${st.uid}, not by this user (uid ${process.getuid()})`);
    if ((st.mode & 0o022) !== 0) refuse(`it is writable by ${st.mode & 0o020 ? "its group" : "others"} (mode ${(st.mode & 0o777).toString(8)})`);
    // Ours and not writable by others, but readable: earlier versions created it 0755.
    if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

/**
 * A CA named `caName` (OpenSSL finds an issuer by name) and a certificate for localhost, 127.0.0.1 and ::1 that it
 * signed, both valid for `days`.
 */
export async function issueLocalhostCertificate(
    caName: string,
    days: number,
): Promise<{ ca: { cert: string; private: string }; leaf: { cert: string; private: string } }> {
    const notAfterDate = new Date(Date.now() + days * 24 * 3600 * 1000);
    const ca = await selfsigned.generate([{ name: "commonName", value: caName }], {
        keySize: 2048,
        algorithm: "sha256",
        notAfterDate,
        extensions: [
            { name: "basicConstraints", cA: true, critical: true },
            { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
        ],
    });
    const leaf = await selfsigned.generate([{ name: "commonName", value: "localhost" }], {
        keySize: 2048,
        algorithm: "sha256",
        notAfterDate,
        ca: { key: ca.private, cert: ca.cert },
        extensions: [
            { name: "basicConstraints", cA: false },
            { name: "keyUsage", digitalSignature: true, keyEncipherment: true },
            { name: "extKeyUsage", serverAuth: true },
            {
                name: "subjectAltName",
                altNames: [
                    { type: 2, value: "localhost" },
                    { type: 7, ip: "127.0.0.1" },
                    { type: 7, ip: "::1" },
                ],
            },
        ],
    });
    return { ca: { cert: ca.cert, private: ca.private }, leaf: { cert: leaf.cert, private: leaf.private } };
}

export async function loadOrCreateTls(dir: string): Promise<TlsMaterial> {
    ensurePrivateFolder(dir);
    const path = (name: keyof typeof FILES): string => join(dir, FILES[name]);
    const haveAll = (Object.keys(FILES) as (keyof typeof FILES)[]).every((k) => existsSync(path(k)));
    if (!haveAll || !stillValid(readFileSync(path("cert"), "utf8"))) {
        const { ca, leaf } = await issueLocalhostCertificate("pulumi-intune-enrollment emulator CA", 2 * 365);
        const signing = generateKeyPairSync("rsa", { modulusLength: 2048 });
        writeAtomic(path("caKey"), ca.private);
        writeAtomic(path("key"), leaf.private);
        writeAtomic(path("cert"), leaf.cert);
        writeAtomic(path("signing"), signing.privateKey.export({ type: "pkcs8", format: "pem" }).toString());
        writeAtomic(path("ca"), ca.cert); // last: its presence marks a complete set
    }
    const signingKeyPem = readFileSync(path("signing"), "utf8");
    const { createPublicKey } = await import("node:crypto");
    return {
        caPath: path("ca"),
        caPem: readFileSync(path("ca"), "utf8"),
        certPem: readFileSync(path("cert"), "utf8"),
        keyPem: readFileSync(path("key"), "utf8"),
        signingKeyPem,
        signingPublicKeyPem: createPublicKey(signingKeyPem).export({ type: "spki", format: "pem" }).toString(),
    };
}
