import { ClientAssertionCredential, ClientCertificateCredential, ClientSecretCredential } from "@azure/identity";
import { expect } from "chai";
import { randomUUID } from "node:crypto";
import { DEFAULT_APPS, GRAPH_READ_ALL, GRAPH_READWRITE_ALL } from "../emulator";
import { useEmulator } from "./support/emulator";
import { DEVICE_OWNER, deviceOwnerBody, expectGraphError, Graph, intuneMessage, MODES } from "./support/emulatorGraph";
import { credentialOptions, expectSignInFails, foreignSignedToken, githubOidcToken, newCertificate, signIn } from "./support/emulatorIdentity";

const [READ_WRITE_APP, READ_ONLY_APP, UNPRIVILEGED_APP] = DEFAULT_APPS;

describe("emulator auth: Graph checks the bearer token", () => {
    const ctx = useEmulator();
    const list = (token: string | null) => new Graph(ctx.emulator).get(`/deviceManagement/${DEVICE_OWNER}`, { token });

    it("answers a request without a bearer token with 401 InvalidAuthenticationToken", async () => {
        expectGraphError(await list(null), 401, "InvalidAuthenticationToken");
        const basic = await new Graph(ctx.emulator).get(`/deviceManagement/${DEVICE_OWNER}`, { token: null, headers: { Authorization: "Basic dXNlcjpwYXNz" } });
        expectGraphError(basic, 401, "InvalidAuthenticationToken");
    });

    it("answers a garbage token with 401", async () => {
        expectGraphError(await list("not-a-jwt"), 401, "InvalidAuthenticationToken");
        expectGraphError(await list("a.b.c"), 401, "InvalidAuthenticationToken");
    });

    it("answers a token signed by a key it does not know with 401", async () => {
        expectGraphError(await list(foreignSignedToken(ctx.emulator.tenantId, READ_WRITE_APP.clientId)), 401, "InvalidAuthenticationToken");
    });

    it("answers an expired token with 401", async () => {
        const expired = ctx.emulator.issueToken({ lifetimeSeconds: -60 });
        expectGraphError(await list(expired), 401, "InvalidAuthenticationToken", "expired");
    });

    it("answers a token for another resource with 401", async () => {
        const arm = ctx.emulator.issueToken({ resource: "https://management.azure.com" });
        expectGraphError(await list(arm), 401, "InvalidAuthenticationToken");
    });

    it("accepts tokens for the national clouds' Graph roots", async () => {
        const gcc = ctx.emulator.issueToken({ resource: "https://graph.microsoft.us" });
        expect((await list(gcc)).status).to.equal(200);
    });

    it("issues tokens carrying the registered app's own roles when only its clientId is given", async () => {
        const readOnly = ctx.emulator.issueToken({ clientId: READ_ONLY_APP.clientId });
        const g = new Graph(ctx.emulator, readOnly);
        expect((await g.get(g.collection(DEVICE_OWNER))).status).to.equal(200);
        expectGraphError(await g.post(g.collection(DEVICE_OWNER), deviceOwnerBody(MODES.dedicated)), 403, "Forbidden");
    });

    it("lets the read-only app read but answers its writes with 403 naming ReadWrite.All", async () => {
        const g = new Graph(ctx.emulator, ctx.emulator.issueToken({ clientId: READ_ONLY_APP.clientId, roles: READ_ONLY_APP.roles }));
        const writer = new Graph(ctx.emulator);
        const created = await writer.create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated));
        expect((await g.get(g.item(DEVICE_OWNER, created.id))).status).to.equal(200);
        const refused = [
            await g.post(g.collection(DEVICE_OWNER), deviceOwnerBody(MODES.dedicated)),
            await g.patch(g.item(DEVICE_OWNER, created.id), { displayName: "x" }),
            await g.delete(g.item(DEVICE_OWNER, created.id)),
            await g.post(g.item(DEVICE_OWNER, created.id, "/createToken"), { tokenValidityInSeconds: 3600 }),
        ];
        for (const res of refused) {
            expectGraphError(res, 403, "Forbidden");
            expect(intuneMessage(res).Message).to.contain(GRAPH_READWRITE_ALL);
        }
        expect(ctx.emulator.profiles(DEVICE_OWNER)).to.have.length(1);
    });

    it("answers the unprivileged app's reads with 403 naming Read.All", async () => {
        const g = new Graph(ctx.emulator, ctx.emulator.issueToken({ clientId: UNPRIVILEGED_APP.clientId, roles: UNPRIVILEGED_APP.roles }));
        const res = await g.get(g.collection(DEVICE_OWNER));
        expectGraphError(res, 403, "Forbidden", GRAPH_READ_ALL);
    });

    it("accepts a delegated token whose scp grants the permission", async () => {
        const g = new Graph(ctx.emulator, ctx.emulator.issueToken({ delegatedScopes: [GRAPH_READWRITE_ALL] }));
        expect((await g.post(g.collection(DEVICE_OWNER), deviceOwnerBody(MODES.dedicated))).status).to.equal(201);
    });
});

describe("emulator auth: behaviour.appOnlyCreateTokenForbidden", () => {
    const ctx = useEmulator({ behaviour: { appOnlyCreateTokenForbidden: true } });

    it("answers createToken with an app-only token with 403, and with a delegated token with 204", async () => {
        const app = new Graph(ctx.emulator);
        const created = await app.create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated));
        expectGraphError(await app.post(app.item(DEVICE_OWNER, created.id, "/createToken"), { tokenValidityInSeconds: 3600 }), 403, "Forbidden");
        const user = new Graph(ctx.emulator, ctx.emulator.issueToken({ delegatedScopes: [GRAPH_READWRITE_ALL] }));
        expect((await user.post(user.item(DEVICE_OWNER, created.id, "/createToken"), { tokenValidityInSeconds: 3600 })).status).to.equal(204);
    });
});

describe("emulator auth: signing in with @azure/identity against the emulated Entra ID", () => {
    const ctx = useEmulator();

    async function expectGraphAccepts(token: string): Promise<void> {
        const g = new Graph(ctx.emulator, token);
        expect((await g.post(g.collection(DEVICE_OWNER), deviceOwnerBody(MODES.dedicated))).status).to.equal(201);
    }

    it("serves the OpenID configuration MSAL reads", async () => {
        const g = new Graph(ctx.emulator);
        const res = await g.get(`${ctx.emulator.authorityHost}/${ctx.emulator.tenantId}/v2.0/.well-known/openid-configuration`, { token: null });
        expect(res.status).to.equal(200);
        for (const key of ["issuer", "token_endpoint", "authorization_endpoint", "end_session_endpoint", "jwks_uri"]) {
            expect(res.json[key], key)
                .to.be.a("string")
                .and.match(/^https:\/\//);
        }
    });

    it("ClientSecretCredential gets a token that Graph accepts", async () => {
        const credential = new ClientSecretCredential(ctx.emulator.tenantId, READ_WRITE_APP.clientId, READ_WRITE_APP.secret!, credentialOptions(ctx.emulator));
        await expectGraphAccepts(await signIn(credential));
    });

    it("ClientSecretCredential of the read-only app gets a token that can read but not write", async () => {
        const credential = new ClientSecretCredential(ctx.emulator.tenantId, READ_ONLY_APP.clientId, READ_ONLY_APP.secret!, credentialOptions(ctx.emulator));
        const g = new Graph(ctx.emulator, await signIn(credential));
        expect((await g.get(g.collection(DEVICE_OWNER))).status).to.equal(200);
        expectGraphError(await g.post(g.collection(DEVICE_OWNER), deviceOwnerBody(MODES.dedicated)), 403, "Forbidden", GRAPH_READWRITE_ALL);
    });

    it("ClientSecretCredential with a wrong secret fails with AADSTS7000215", async () => {
        const credential = new ClientSecretCredential(ctx.emulator.tenantId, READ_WRITE_APP.clientId, "wrong-secret", credentialOptions(ctx.emulator));
        await expectSignInFails(credential, 7000215);
    });

    it("refuses an unknown client id (AADSTS700016) and an unknown tenant (AADSTS90002)", async () => {
        await expectSignInFails(new ClientSecretCredential(ctx.emulator.tenantId, randomUUID(), "x", credentialOptions(ctx.emulator)), 700016);
        await expectSignInFails(
            new ClientSecretCredential(randomUUID(), READ_WRITE_APP.clientId, READ_WRITE_APP.secret!, credentialOptions(ctx.emulator)),
            90002,
        );
    });

    it("refuses a scope that is not a Graph root's /.default", async () => {
        const credential = new ClientSecretCredential(ctx.emulator.tenantId, READ_WRITE_APP.clientId, READ_WRITE_APP.secret!, credentialOptions(ctx.emulator));
        await expectSignInFails(credential, 1002012, "https://management.azure.com/.default");
    });

    it("ClientCertificateCredential with a registered certificate gets a token that Graph accepts", async () => {
        const cert = await newCertificate("intune-pipeline-cert");
        const clientId = randomUUID();
        ctx.emulator.registerApp({ clientId, certificatePem: cert.certPem, roles: [GRAPH_READWRITE_ALL] });
        const credential = new ClientCertificateCredential(ctx.emulator.tenantId, clientId, { certificate: cert.pem }, credentialOptions(ctx.emulator));
        await expectGraphAccepts(await signIn(credential));
    });

    it("ClientCertificateCredential with a certificate the app does not have fails with AADSTS700027", async () => {
        const registered = await newCertificate("registered-cert");
        const other = await newCertificate("unregistered-cert");
        const clientId = randomUUID();
        ctx.emulator.registerApp({ clientId, certificatePem: registered.certPem, roles: [GRAPH_READWRITE_ALL] });
        const credential = new ClientCertificateCredential(ctx.emulator.tenantId, clientId, { certificate: other.pem }, credentialOptions(ctx.emulator));
        await expectSignInFails(credential, 700027);
    });

    it("ClientAssertionCredential with a GitHub OIDC token of the federated subject gets a token that Graph accepts", async () => {
        const subject = "repo:contoso/intune-config:environment:production";
        const clientId = randomUUID();
        ctx.emulator.registerApp({ clientId, federatedCredentials: [{ issuer: `${ctx.emulator.url}/_github/oidc`, subject }], roles: [GRAPH_READWRITE_ALL] });
        const credential = new ClientAssertionCredential(
            ctx.emulator.tenantId,
            clientId,
            () => githubOidcToken(ctx.emulator, subject),
            credentialOptions(ctx.emulator),
        );
        await expectGraphAccepts(await signIn(credential));
    });

    it("ClientAssertionCredential with a GitHub OIDC token of another subject fails with AADSTS700213", async () => {
        const clientId = randomUUID();
        ctx.emulator.registerApp({
            clientId,
            federatedCredentials: [{ issuer: `${ctx.emulator.url}/_github/oidc`, subject: "repo:contoso/intune-config:ref:refs/heads/main" }],
            roles: [GRAPH_READWRITE_ALL],
        });
        const credential = new ClientAssertionCredential(
            ctx.emulator.tenantId,
            clientId,
            () => githubOidcToken(ctx.emulator, "repo:contoso/intune-config:pull_request"),
            credentialOptions(ctx.emulator),
        );
        await expectSignInFails(credential, 700213);
    });

    it("the GitHub OIDC token endpoint wants the runner's request token", async () => {
        const res = await new Graph(ctx.emulator).get(ctx.emulator.githubOidcRequestUrl("repo:contoso/x:ref:refs/heads/main"), { token: null });
        expect(res.status).to.equal(401);
    });
});
