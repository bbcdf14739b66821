import { expect } from "chai";
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import selfsigned from "selfsigned";
import { GRAPH_READWRITE_ALL, RunningEmulator } from "../emulator";
import { SignInError } from "../provider/graph/errors";
import { GraphClient } from "../provider/graph/client";
import { tempDir, useEmulator } from "./support/emulator";
import { call } from "./support/http";
import {
    clientFor,
    Config,
    createDirect,
    CredentialSpy,
    DEVICE_OWNER_PATH,
    emulatorConfig,
    forgedJwt,
    jwtClaims,
    newApp,
    READ,
    rejectionOf,
} from "./support/graphClient";

/** Sign-in config for the emulator without any credential: each test adds its own. */
function signInConfig(emulator: RunningEmulator, clientId: string | undefined, extra: Config): Config {
    return { ...emulatorConfig(emulator, undefined, extra), clientId };
}

/** One real Graph round trip: a list, then a create that the emulator attributes to the signed-in app. */
async function proveGraphWorks(emulator: RunningEmulator, client: GraphClient, clientId: string): Promise<void> {
    expect(await client.list(READ, DEVICE_OWNER_PATH)).to.be.an("array");
    const name = `Sign-in ${randomUUID().slice(0, 8)}`;
    const created = await createDirect(client, name);
    expect(created.displayName).to.equal(name);
    const log = emulator.requests();
    expect(log.map((r) => r.status)).to.deep.equal([200, 201]);
    expect(
        log.every((r) => r.appId === clientId),
        "the emulator saw the app's own token",
    ).to.equal(true);
}

async function certificatePair(): Promise<{ cert: string; key: string }> {
    const pems = await selfsigned.generate([{ name: "commonName", value: "intune-pipeline-test" }], { keySize: 2048, algorithm: "sha256" });
    return { cert: pems.cert, key: pems.private };
}

async function githubOidcToken(emulator: RunningEmulator, subject: string): Promise<string> {
    const res = await call(emulator.caPem, "GET", emulator.githubOidcRequestUrl(subject), { headers: { Authorization: "Bearer x" } });
    expect(res.status, res.text).to.equal(200);
    return res.json.value as string;
}

describe("graph client: each sign-in method gets a token from the emulated Entra ID and calls Graph", function () {
    this.timeout(30_000);
    const ctx = useEmulator();

    it("signs in with a client secret", async () => {
        const app = newApp(ctx.emulator);
        const spy = new CredentialSpy();
        const client = clientFor(emulatorConfig(ctx.emulator, app), { credential: spy.factory });
        expect(client.settings.auth.method).to.equal("clientSecret");
        await proveGraphWorks(ctx.emulator, client, app.clientId);
        expect(spy.tokens).to.have.length(1);
        expect(jwtClaims(spy.tokens[0]).appid).to.equal(app.clientId);
    });

    it("signs in with a client certificate given as PEM content (intune:clientCertificate)", async () => {
        const { cert, key } = await certificatePair();
        const app = newApp(ctx.emulator, [GRAPH_READWRITE_ALL], { certificatePem: cert });
        const client = clientFor(signInConfig(ctx.emulator, app.clientId, { clientCertificate: `${key}\n${cert}` }));
        expect(client.settings.auth.method).to.equal("clientCertificate");
        await proveGraphWorks(ctx.emulator, client, app.clientId);
    });

    it("signs in with a client certificate in a PEM file (intune:clientCertificatePath)", async () => {
        const { cert, key } = await certificatePair();
        const app = newApp(ctx.emulator, [GRAPH_READWRITE_ALL], { certificatePem: cert });
        const path = join(tempDir("intune-cert"), "app.pem");
        writeFileSync(path, `${cert}\n${key}`, { mode: 0o600 });
        const client = clientFor(signInConfig(ctx.emulator, app.clientId, { clientCertificatePath: path }));
        expect(client.settings.auth.method).to.equal("clientCertificate");
        await proveGraphWorks(ctx.emulator, client, app.clientId);
    });

    it("refuses a certificate the app registration does not hold (a sign-in error, before any Graph call)", async () => {
        const registered = await certificatePair();
        const other = await certificatePair();
        const app = newApp(ctx.emulator, [GRAPH_READWRITE_ALL], { certificatePem: registered.cert });
        const client = clientFor(signInConfig(ctx.emulator, app.clientId, { clientCertificate: `${other.key}\n${other.cert}` }));
        const err = await rejectionOf(client.list(READ, DEVICE_OWNER_PATH));
        expect(err).to.be.instanceOf(SignInError);
        expect(err.message).to.contain("clientCertificate").and.contain("AADSTS700027");
        expect(ctx.emulator.requests()).to.have.length(0);
    });

    it("signs in with workload identity federation from a federated token file", async () => {
        const subject = `system:serviceaccount:intune:${randomUUID().slice(0, 8)}`;
        const app = newApp(ctx.emulator, [GRAPH_READWRITE_ALL], { federatedSubject: subject });
        const tokenFile = join(tempDir("intune-wif"), "azure-identity-token");
        writeFileSync(tokenFile, await githubOidcToken(ctx.emulator, subject));
        const client = clientFor(signInConfig(ctx.emulator, app.clientId, { federatedTokenFile: tokenFile }));
        expect(client.settings.auth.method).to.equal("workloadIdentity");
        await proveGraphWorks(ctx.emulator, client, app.clientId);
    });

    it("signs in with the GitHub Actions OIDC exchange", async () => {
        const subject = `repo:contoso/intune-config:ref:refs/heads/${randomUUID().slice(0, 8)}`;
        const app = newApp(ctx.emulator, [GRAPH_READWRITE_ALL], { federatedSubject: subject });
        const client = clientFor(
            signInConfig(ctx.emulator, app.clientId, {
                oidcRequestUrl: ctx.emulator.githubOidcRequestUrl(subject),
                oidcRequestToken: "github-runner-request-token",
            }),
        );
        expect(client.settings.auth.method).to.equal("githubOidc");
        await proveGraphWorks(ctx.emulator, client, app.clientId);
    });

    it("refuses a GitHub OIDC token whose subject the app does not trust", async () => {
        const app = newApp(ctx.emulator, [GRAPH_READWRITE_ALL], { federatedSubject: "repo:contoso/intune-config:ref:refs/heads/main" });
        const client = clientFor(
            signInConfig(ctx.emulator, app.clientId, {
                oidcRequestUrl: ctx.emulator.githubOidcRequestUrl("repo:someone-else/fork:ref:refs/heads/main"),
                oidcRequestToken: "github-runner-request-token",
            }),
        );
        const err = await rejectionOf(client.list(READ, DEVICE_OWNER_PATH));
        expect(err).to.be.instanceOf(SignInError);
        expect(err.message).to.contain("githubOidc").and.contain("AADSTS700213");
    });

    it("uses a pre-acquired static token as it is", async () => {
        const app = newApp(ctx.emulator);
        const token = ctx.emulator.issueToken({ clientId: app.clientId, roles: [GRAPH_READWRITE_ALL] });
        const client = clientFor({ graphEndpoint: ctx.emulator.graphUrl, caCertificatePath: ctx.emulator.caPath, accessToken: token });
        expect(client.settings.auth.method).to.equal("accessToken");
        await proveGraphWorks(ctx.emulator, client, app.clientId);
    });

    it("reports an expired static token clearly, without sending it", async () => {
        const token = ctx.emulator.issueToken({ lifetimeSeconds: -60 });
        const client = clientFor({ graphEndpoint: ctx.emulator.graphUrl, caCertificatePath: ctx.emulator.caPath, accessToken: token });
        const err = await rejectionOf(client.list(READ, DEVICE_OWNER_PATH));
        expect(err).to.be.instanceOf(SignInError);
        expect(err.message).to.contain("has expired").and.contain("intune:accessToken").and.contain("INTUNE_ACCESS_TOKEN");
        expect(err.message).to.not.contain(token);
        expect(ctx.emulator.requests()).to.have.length(0);
    });

    for (const [cloud, scope] of [
        ["usgovL4", "https://graph.microsoft.us"],
        ["usgovL5", "https://dod-graph.microsoft.us"],
        ["china", "https://microsoftgraph.chinacloudapi.cn"],
    ]) {
        it(`asks for the ${cloud} scope when graphEndpoint points elsewhere`, async () => {
            const app = newApp(ctx.emulator);
            const spy = new CredentialSpy();
            const client = clientFor(emulatorConfig(ctx.emulator, app, { cloud }), { credential: spy.factory });
            expect(client.settings.scope).to.equal(`${scope}/.default`);
            expect(await client.list(READ, DEVICE_OWNER_PATH)).to.deep.equal([]);
            expect(jwtClaims(spy.tokens[0]).aud).to.equal(scope);
        });
    }
});

describe("graph client: token caching", function () {
    this.timeout(30_000);
    const ctx = useEmulator();

    it("signs in once for many concurrent requests", async () => {
        const app = newApp(ctx.emulator);
        const spy = new CredentialSpy();
        const client = clientFor(emulatorConfig(ctx.emulator, app), { credential: spy.factory });
        await Promise.all(Array.from({ length: 25 }, () => client.list(READ, DEVICE_OWNER_PATH)));
        expect(spy.calls).to.equal(1);
        expect(spy.credentialsMade).to.equal(1);
        expect(ctx.emulator.requests().filter((r) => r.status === 200)).to.have.length(25);
    });

    it("reuses the token for later requests", async () => {
        const app = newApp(ctx.emulator);
        const spy = new CredentialSpy();
        const client = clientFor(emulatorConfig(ctx.emulator, app), { credential: spy.factory });
        for (let i = 0; i < 5; i++) await client.list(READ, DEVICE_OWNER_PATH);
        expect(spy.calls).to.equal(1);
    });

    it("answers a 401 with exactly one fresh sign-in and one resend", async () => {
        const app = newApp(ctx.emulator);
        const spy = new CredentialSpy();
        spy.queued.push(forgedJwt(ctx.emulator.tenantId));
        const client = clientFor(emulatorConfig(ctx.emulator, app), { credential: spy.factory });
        expect(await client.list(READ, DEVICE_OWNER_PATH)).to.deep.equal([]);
        expect(spy.calls).to.equal(2);
        expect(spy.tokens).to.have.length(1);
        const log = ctx.emulator.requests();
        expect(log.map((r) => r.status)).to.deep.equal([401, 200]);
        expect(log[1].appId).to.equal(app.clientId);
    });

    it("answers many concurrent 401s with one fresh sign-in", async () => {
        const app = newApp(ctx.emulator);
        const spy = new CredentialSpy();
        spy.queued.push(forgedJwt(ctx.emulator.tenantId));
        const client = clientFor(emulatorConfig(ctx.emulator, app), { credential: spy.factory });
        await Promise.all(Array.from({ length: 10 }, () => client.list(READ, DEVICE_OWNER_PATH)));
        expect(spy.calls).to.equal(2);
        const statuses = ctx.emulator.requests().map((r) => r.status);
        expect(statuses.filter((s) => s === 401)).to.have.length(10);
        expect(statuses.filter((s) => s === 200)).to.have.length(10);
    });

    it("does not sign in again for a 401 that comes back after the token was already renewed", async () => {
        const app = newApp(ctx.emulator);
        const spy = new CredentialSpy();
        spy.queued.push(forgedJwt(ctx.emulator.tenantId));
        const client = clientFor(emulatorConfig(ctx.emulator, app), { credential: spy.factory });
        // Half the requests carrying the rejected token are answered late, after the others already signed in afresh.
        ctx.emulator.setFaults({ rules: [{ method: "GET", delayMs: 600, times: 4 }] });
        await Promise.all(Array.from({ length: 8 }, () => client.list(READ, DEVICE_OWNER_PATH)));
        expect(spy.calls, "one sign-in for the rejected token, one fresh").to.equal(2);
        const statuses = ctx.emulator.requests().map((r) => r.status);
        expect(statuses.filter((s) => s === 401)).to.have.length(8);
        expect(statuses.filter((s) => s === 200)).to.have.length(8);
    });

    it("gives up after one resend when the fresh token is refused too", async () => {
        const client = clientFor({
            graphEndpoint: ctx.emulator.graphUrl,
            caCertificatePath: ctx.emulator.caPath,
            accessToken: forgedJwt(ctx.emulator.tenantId),
        });
        const err = await rejectionOf(client.list(READ, DEVICE_OWNER_PATH));
        expect(err.message).to.match(/^Reading Android enrollment profiles failed: 401 Unauthorized/);
        expect(ctx.emulator.requests().map((r) => r.status)).to.deep.equal([401, 401]);
    });
});
