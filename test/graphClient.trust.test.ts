import { expect } from "chai";
import { execFile } from "node:child_process";
import { createServer, Server } from "node:https";
import { AddressInfo } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { rootCertificates } from "node:tls";
import { issueLocalhostCertificate, loadOrCreateTls } from "../emulator/tls";
import { trustingAlso } from "../provider/graph/trust";
import { TEST_TLS_DIR } from "./support/emulator";

/** intune:caCertificatePath adds a CA to what Node trusts; it must not take away the CAs the machine already trusts. */

interface Material {
    caPath: string;
    caPem: string;
    certPem: string;
    keyPem: string;
}

/** A CA of its own name and a localhost certificate it signed. */
async function otherCa(dir: string): Promise<Material> {
    const { ca, leaf } = await issueLocalhostCertificate("trust test root", 1);
    const caPath = join(dir, "ca.pem");
    writeFileSync(caPath, ca.cert);
    return { caPath, caPem: ca.cert, certPem: leaf.cert, keyPem: leaf.private };
}

async function serve(tls: Material): Promise<{ url: string; server: Server }> {
    const server = createServer({ key: tls.keyPem, cert: tls.certPem }, (_req, res) => res.end("ok"));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    return { url: `https://localhost:${(server.address() as AddressInfo).port}/`, server };
}

/** In a fresh Node (NODE_EXTRA_CA_CERTS is read at start-up): which of `urls` a connection with trustingAlso(caPath) accepts. */
function acceptedFrom(caPath: string, urls: string[], extraCaCerts?: string): Promise<string[]> {
    const script = `
        const { readFileSync } = require("node:fs");
        const https = require("node:https");
        const { trustingAlso } = require(${JSON.stringify(join(__dirname, "..", "provider", "graph", "trust.js"))});
        const agent = new https.Agent({ secureContext: trustingAlso(readFileSync(${JSON.stringify(caPath)}, "utf8")) });
        const urls = ${JSON.stringify(urls)};
        Promise.all(urls.map((u) => new Promise((resolve) => {
            https.get(u, { agent }, (res) => { res.resume(); res.on("end", () => resolve("accepted")); }).on("error", (e) => resolve(e.code));
        }))).then((r) => { process.stdout.write(JSON.stringify(r)); process.exit(0); });`;
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.NODE_EXTRA_CA_CERTS;
    if (extraCaCerts) env.NODE_EXTRA_CA_CERTS = extraCaCerts;
    return new Promise((resolve, reject) =>
        execFile(process.execPath, ["-e", script], { env }, (err, stdout) => (err ? reject(err) : resolve(JSON.parse(stdout) as string[]))),
    );
}

describe("graph client trust: the CA of intune:caCertificatePath is added to Node's roots", function () {
    this.timeout(60_000);
    let added: Material;
    let other: Material;
    const dir = mkdtempSync(join(tmpdir(), "intune-trust-"));
    const servers: Server[] = [];
    let addedUrl: string;
    let otherUrl: string;
    before(async () => {
        added = await loadOrCreateTls(TEST_TLS_DIR);
        // A second, unrelated CA: trusted only when NODE_EXTRA_CA_CERTS names it.
        other = await otherCa(dir);
        const a = await serve(added);
        const b = await serve(other);
        servers.push(a.server, b.server);
        addedUrl = a.url;
        otherUrl = b.url;
    });
    after(async () => {
        await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
        rmSync(dir, { recursive: true, force: true });
    });

    it("trusts the added CA and those of NODE_EXTRA_CA_CERTS, and no other", async () => {
        expect(await acceptedFrom(added.caPath, [addedUrl, otherUrl], other.caPath)).to.deep.equal(["accepted", "accepted"]);
        const [fromAdded, fromOther] = await acceptedFrom(added.caPath, [addedUrl, otherUrl]);
        expect(fromAdded).to.equal("accepted");
        expect(fromOther).to.match(/CERT|SELF_SIGNED|UNABLE_TO_VERIFY/);
    });

    it("trusts a bundle's own CAs when it also repeats Node's roots, as a distribution's bundle does", async () => {
        // Node's roots are compared as text and left out; the bundle's other certificates, however written, are added.
        const bundle = join(dir, "bundle.pem");
        writeFileSync(bundle, [rootCertificates[0], other.caPem.replace(/\n/g, "\r\n"), rootCertificates[1]].join("\n"));
        expect(await acceptedFrom(added.caPath, [addedUrl, otherUrl], bundle)).to.deep.equal(["accepted", "accepted"]);
    });

    it("is built once per CA, for Graph's connections and the sign-in's alike", () => {
        expect(trustingAlso(added.caPem)).to.equal(trustingAlso(added.caPem));
        expect(trustingAlso(added.caPem)).to.not.equal(trustingAlso(other.caPem));
    });
});
