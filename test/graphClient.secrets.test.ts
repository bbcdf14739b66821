import { expect } from "chai";
import { randomUUID } from "node:crypto";
import { inspect } from "node:util";
import { DEFAULT_APPS, GRAPH_READWRITE_ALL } from "../emulator";
import { ClientOptions, GraphClient } from "../provider/graph/client";
import { useEmulator } from "./support/emulator";
import { call } from "./support/http";
import {
    clientFor,
    closedPort,
    Config,
    CredentialSpy,
    DEVICE_OWNER_PATH,
    emulatorConfig,
    forgedJwt,
    LEGACY_PATH,
    MODE,
    newApp,
    op,
    probeByName,
    READ,
} from "./support/graphClient";

const TOKEN_SELECT = "tokenValue,tokenCreationDateTime,tokenExpirationDateTime,qrCodeContent,qrCodeImage";
const LEGACY_TOKEN_SELECT = "tokenValue,tokenExpirationDateTime,qrCodeContent,qrCodeImage";
const JWT = /eyJ[A-Za-z0-9_-]{10,}\./;

describe("graph client secrets: nothing secret reaches a log line or an error", function () {
    this.timeout(60_000);
    const ctx = useEmulator();

    it("a representative run with intune:debug on leaks no secret, token, enrollment token, QR content or Wi-Fi password", async () => {
        const em = ctx.emulator;
        const captured: string[] = [];
        const secrets = new Set<string>();
        const spy = new CredentialSpy();
        const options: ClientOptions = { logger: (line) => captured.push(line), credential: spy.factory, probeSettleMs: 300 };
        const debugClient = (config: Config): GraphClient => clientFor({ ...config, debug: "true" }, options);
        const snapshotProfiles = (): void => {
            for (const collection of ["androidDeviceOwnerEnrollmentProfiles", "androidForWorkEnrollmentProfiles"] as const) {
                for (const p of em.profiles(collection)) {
                    for (const field of ["tokenValue", "qrCodeContent"]) if (typeof p[field] === "string") secrets.add(p[field] as string);
                    const image = p.qrCodeImage as { value?: string } | null;
                    if (image?.value) secrets.add(image.value);
                }
            }
        };
        const expectFailure = async (what: string, promise: Promise<unknown>): Promise<void> => {
            try {
                await promise;
            } catch (err) {
                captured.push(String(err), inspect(err, { depth: 5 }));
                return;
            }
            throw new Error(`${what} was expected to fail`);
        };

        const app = newApp(em);
        secrets.add(app.secret);
        const client = debugClient(emulatorConfig(em, app));

        // AOSP profiles carry the Wi-Fi password in the body and, in plain text, inside the QR content.
        const wifiPasswords = [`Wifi-${randomUUID()}`, `Wifi-${randomUUID()}`, `Wifi-${randomUUID()}`];
        wifiPasswords.forEach((w) => secrets.add(w));
        const aosp = (name: string, wifiPassword: string): Record<string, unknown> => ({
            displayName: name,
            enrollmentMode: MODE.aospUserless,
            configureWifi: true,
            wifiSsid: "Contoso-Lobby",
            wifiPassword,
            wifiSecurityType: "wpa",
        });
        const created = (await client.create(
            op('Creating Android enrollment profile "Lobby"'),
            DEVICE_OWNER_PATH,
            aosp("Lobby", wifiPasswords[0]),
            probeByName(client, "Lobby"),
        )) as { id: string };
        const path = `${DEVICE_OWNER_PATH}/${created.id}`;
        snapshotProfiles();
        await client.get(op('Reading the token of "Lobby"', "read"), path, { $select: TOKEN_SELECT });
        await client.action(op('Creating an enrollment token for "Lobby"'), `${path}/createToken`, { tokenValidityInSeconds: 7 * 86_400 });
        snapshotProfiles();
        await client.get(op('Reading the token of "Lobby"', "read"), path, { $select: TOKEN_SELECT });
        await client.patch(op('Updating Android enrollment profile "Lobby"'), path, { wifiPassword: wifiPasswords[1] });
        snapshotProfiles();
        await client.get(op('Reading the token of "Lobby"', "read"), path, { $select: TOKEN_SELECT });
        for (const [name, mode] of [
            ["Dedicated", MODE.dedicated],
            ["Managed", MODE.fullyManaged],
        ]) {
            await client.create(
                op(`Creating Android enrollment profile "${name}"`),
                DEVICE_OWNER_PATH,
                { displayName: name, enrollmentMode: mode },
                probeByName(client, name),
            );
        }
        const legacy = (await client.create(
            op('Creating legacy profile "Work"'),
            LEGACY_PATH,
            { displayName: "Work" },
            probeByName(client, "Work", LEGACY_PATH),
        )) as { id: string };
        await client.action(op('Creating an enrollment token for "Work"'), `${LEGACY_PATH}/${legacy.id}/createToken`, { tokenValidityInSeconds: 86_400 });
        snapshotProfiles();
        await client.list(READ, DEVICE_OWNER_PATH, { $select: `id,displayName,${TOKEN_SELECT}` });
        await client.list(READ, LEGACY_PATH, { $select: `id,${LEGACY_TOKEN_SELECT}` });
        await client.get(READ, `${LEGACY_PATH}/${legacy.id}`, { $select: LEGACY_TOKEN_SELECT });
        await client.action(op('Revoking the token of "Lobby"'), `${path}/revokeToken`);

        // A create whose answer is lost, with the Wi-Fi password in its body: retried through a probe.
        em.setFaults({ rules: [{ method: "POST", path: "EnrollmentProfiles$", afterCommit: true, drop: true, times: 1 }] });
        await client.create(op('Creating Android enrollment profile "Lost"'), DEVICE_OWNER_PATH, aosp("Lost", wifiPasswords[2]), probeByName(client, "Lost"));
        snapshotProfiles();

        // Every class of error, each with a secret in play.
        await expectFailure(
            "400",
            client.create(
                op('Creating "Bad"'),
                DEVICE_OWNER_PATH,
                { ...aosp("Bad", wifiPasswords[0]), deviceNameTemplate: "x".repeat(80) },
                probeByName(client, "Bad"),
            ),
        );
        const forged = forgedJwt(em.tenantId);
        secrets.add(forged);
        await expectFailure(
            "401",
            debugClient({ graphEndpoint: em.graphUrl, caCertificatePath: em.caPath, accessToken: forged }).list(READ, DEVICE_OWNER_PATH),
        );
        const reader = debugClient(emulatorConfig(em, { clientId: DEFAULT_APPS[1].clientId, secret: "emulator-reader-secret" }));
        secrets.add("emulator-reader-secret");
        await expectFailure("403", reader.create(op('Creating "Denied"'), DEVICE_OWNER_PATH, aosp("Denied", wifiPasswords[1]), probeByName(reader, "Denied")));
        await expectFailure("404", client.get(READ, `${DEVICE_OWNER_PATH}/${randomUUID()}`, { $select: TOKEN_SELECT }));
        const quick = debugClient(emulatorConfig(em, app, { maxRetrySeconds: "0.3" }));
        for (const status of [429, 500, 503, 504]) {
            em.setFaults({ rules: [{ method: "PATCH", status, retryAfter: null }] });
            await expectFailure(`${status}`, quick.patch(op('Updating "Lobby"'), path, { wifiPassword: wifiPasswords[0] }));
        }
        em.clearFaults();
        const staticToken = em.issueToken({ clientId: app.clientId, roles: [GRAPH_READWRITE_ALL] });
        secrets.add(staticToken);
        const port = await closedPort();
        await expectFailure(
            "refused",
            debugClient({ graphEndpoint: `https://127.0.0.1:${port}`, accessToken: staticToken, maxRetrySeconds: "0.3" }).patch(op("Updating"), path, {
                wifiPassword: wifiPasswords[1],
            }),
        );
        await expectFailure("TLS", debugClient({ graphEndpoint: em.graphUrl, accessToken: staticToken, maxRetrySeconds: "0.3" }).list(READ, DEVICE_OWNER_PATH));
        const wrongSecret = `wrong-${randomUUID()}`;
        secrets.add(wrongSecret);
        await expectFailure("sign-in", debugClient(emulatorConfig(em, { clientId: app.clientId, secret: wrongSecret })).list(READ, DEVICE_OWNER_PATH));
        const expired = em.issueToken({ lifetimeSeconds: -60 });
        secrets.add(expired);
        await expectFailure(
            "expired token",
            debugClient({ graphEndpoint: em.graphUrl, caCertificatePath: em.caPath, accessToken: expired }).list(READ, DEVICE_OWNER_PATH),
        );

        // GitHub OIDC: the runner's request token and the OIDC token it hands out are secrets too.
        const subject = `repo:contoso/intune:ref:refs/heads/${randomUUID().slice(0, 8)}`;
        const fed = newApp(em, [GRAPH_READWRITE_ALL], { federatedSubject: subject });
        const runnerToken = `runner-${randomUUID()}`;
        secrets.add(runnerToken);
        const oidc = await call(em.caPem, "GET", em.githubOidcRequestUrl(subject), { headers: { Authorization: "Bearer x" } });
        const oidcClient = debugClient({
            ...emulatorConfig(em, undefined),
            clientId: fed.clientId,
            oidcRequestUrl: em.githubOidcRequestUrl(subject),
            oidcRequestToken: runnerToken,
        });
        await oidcClient.list(READ, DEVICE_OWNER_PATH);
        expect(JWT.test(oidc.json.value as string)).to.equal(true);

        for (const t of spy.tokens) secrets.add(t);
        snapshotProfiles();

        // The run really did produce traces, tokens and secrets to leak.
        expect(spy.tokens.length).to.be.at.least(3);
        expect(captured.filter((l) => l.startsWith("[intune] →")).length).to.be.greaterThan(20);
        expect(
            captured.some((l) => l.includes('"wifiPassword":"[redacted]"')),
            "bodies are traced, redacted",
        ).to.equal(true);
        expect([...secrets].filter((s) => /^\d{20}$/.test(s)).length, "20-digit AOSP/dedicated tokens were issued").to.be.greaterThan(1);

        const text = captured.join("\n");
        for (const secret of secrets) {
            expect(text.includes(secret), `a secret (${secret.slice(0, 6)}…, ${secret.length} chars) appears in the logs or errors`).to.equal(false);
        }
        const jwt = JWT.exec(text);
        expect(jwt, `a JWT appears: ${jwt ? text.slice(Math.max(0, jwt.index - 80), jwt.index + 20) : ""}`).to.equal(null);
    });
});
