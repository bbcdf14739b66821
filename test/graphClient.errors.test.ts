import { expect } from "chai";
import { MAX_SERVER_ERRORS } from "../provider/graph/handlers/retry";
import { DEFAULT_APPS, FaultRule, GRAPH_READ_ALL, RunningEmulator } from "../emulator";
import { GraphClient } from "../provider/graph/client";
import { waitUntilVisible } from "../provider/graph/consistency";
import { GraphRequestError, parseGraphError, SignInError, unwrapIntuneMessage } from "../provider/graph/errors";
import { SettingsError } from "../provider/runtime/settings";
import { useEmulator } from "./support/emulator";
import {
    clientFor,
    closedPort,
    Config,
    DEVICE_OWNER_PATH,
    emulatorConfig,
    forgedJwt,
    GUID_TEXT,
    newApp,
    op,
    probeByName,
    profileBody,
    READ,
    rejectionOf,
    settingsFrom,
} from "./support/graphClient";

const CREATE_KIOSK = op('Creating Android enrollment profile "Kiosk"');
const IDS = `request-id ${GUID_TEXT}; client-request-id ${GUID_TEXT}`;

/** The message must start with what the provider was doing, name the status, and end with both request ids. */
function expectGraphMessage(err: Error, start: string, status: string, ...parts: string[]): GraphRequestError {
    expect(err).to.be.instanceOf(GraphRequestError);
    expect(err.message.startsWith(`${start} failed: ${status} (`), err.message).to.equal(true);
    expect(err.message).to.match(new RegExp(`; ${IDS}\\)$`));
    for (const p of parts) expect(err.message).to.contain(p);
    return err as GraphRequestError;
}

function appClient(emulator: RunningEmulator, clientId: string, secret: string, extra: Config = {}): GraphClient {
    return clientFor(emulatorConfig(emulator, { clientId, secret }, extra));
}

describe("graph client errors: every failure reads as what was being done, what went wrong and the request ids", function () {
    this.timeout(30_000);
    const ctx = useEmulator();
    const em = (): RunningEmulator => ctx.emulator;
    const writer = (extra: Config = {}): GraphClient => {
        const app = newApp(em());
        return appClient(em(), app.clientId, app.secret, extra);
    };
    const create = (c: GraphClient, body: Record<string, unknown> = profileBody("Kiosk")): Promise<unknown> =>
        c.create(CREATE_KIOSK, DEVICE_OWNER_PATH, body, probeByName(c, String(body.displayName)));
    const fault = (rule: FaultRule): void => em().setFaults({ rules: [rule] });

    it("400 from Intune: the nested message is unwrapped to its human sentence", async () => {
        const err = await rejectionOf(create(writer(), profileBody("Kiosk", { deviceNameTemplate: `{{SERIAL}}-${"x".repeat(60)}` })));
        const e = expectGraphMessage(
            err,
            'Creating Android enrollment profile "Kiosk"',
            "400 Bad Request",
            "deviceNameTemplate must be at most 63 characters long.",
        );
        expect(e.message).to.not.contain("_version").and.not.contain("Operation ID").and.not.contain("CustomApiErrorPhrase");
        expect(e.code).to.equal("BadRequest");
        expect(e.serviceMessage).to.equal("deviceNameTemplate must be at most 63 characters long.");
        expect(e.message).to.contain(`client-request-id ${em().requests()[0].clientRequestId}`);
    });

    it("400 from Graph's OData layer: the plain message is kept", async () => {
        const err = await rejectionOf(create(writer(), profileBody("Kiosk", { enrollmentMode: "corporateOwnedEverything" })));
        expectGraphMessage(err, 'Creating Android enrollment profile "Kiosk"', "400 Bad Request", "Cannot convert the literal 'corporateOwnedEverything'");
    });

    it("401: says the token was rejected and what to check", async () => {
        const c = clientFor({ graphEndpoint: em().graphUrl, caCertificatePath: em().caPath, accessToken: forgedJwt(em().tenantId) });
        const err = await rejectionOf(c.list(READ, DEVICE_OWNER_PATH));
        const e = expectGraphMessage(
            err,
            "Reading Android enrollment profiles",
            "401 Unauthorized",
            "the access token was rejected",
            "Invalid JWT token",
            "intune:tenantId",
            "intune:clientId",
            "DeviceManagementConfiguration.Read.All",
        );
        expect(e.code).to.equal("InvalidAuthenticationToken");
    });

    it("an answer that does not echo the client-request-id (a gateway's 502): the error carries the id that was sent", async () => {
        const sent: string[] = [];
        const c = clientFor(
            { graphEndpoint: em().graphUrl, caCertificatePath: em().caPath, accessToken: forgedJwt(em().tenantId), maxRetrySeconds: "0.1" },
            {
                transport: async (req) => {
                    sent.push(req.headers["client-request-id"]);
                    return { status: 502, headers: { "content-type": "text/html" }, body: undefined };
                },
            },
        );
        const err = await rejectionOf(c.list(READ, DEVICE_OWNER_PATH));
        expect(sent.length).to.be.at.least(1);
        expect(new Set(sent).size, "one id across the retries").to.equal(1);
        expect(err.message).to.contain(`client-request-id ${sent[0]}`);
    });

    it("403 on a write names DeviceManagementConfiguration.ReadWrite.All; the same read-only app can read", async () => {
        const reader = DEFAULT_APPS[1];
        expect(reader.roles).to.deep.equal([GRAPH_READ_ALL]);
        const c = appClient(em(), reader.clientId, "emulator-reader-secret");
        expect(await c.list(READ, DEVICE_OWNER_PATH)).to.deep.equal([]);
        const err = await rejectionOf(create(c));
        const e = expectGraphMessage(
            err,
            'Creating Android enrollment profile "Kiosk"',
            "403 Forbidden",
            "DeviceManagementConfiguration.ReadWrite.All is required",
            "admin consent",
        );
        expect(e.message).to.not.contain("_version");
        expect(e.message, "the app-only token hint belongs to createToken alone").to.not.contain("signed in as a user");
    });

    it("403 on a read names DeviceManagementConfiguration.Read.All", async () => {
        const none = DEFAULT_APPS[2];
        const c = appClient(em(), none.clientId, "emulator-unprivileged-secret");
        const err = await rejectionOf(c.list(READ, DEVICE_OWNER_PATH));
        expectGraphMessage(
            err,
            "Reading Android enrollment profiles",
            "403 Forbidden",
            "DeviceManagementConfiguration.Read.All or DeviceManagementConfiguration.ReadWrite.All is required",
        );
    });

    it("404: says the profile does not exist", async () => {
        const id = "7f1c1a52-3d0e-4c8e-9e52-0f5b8f1e2d3c";
        const err = await rejectionOf(writer().get(op(`Reading Android enrollment profile ${id}`, "read"), `${DEVICE_OWNER_PATH}/${id}`));
        const e = expectGraphMessage(err, `Reading Android enrollment profile ${id}`, "404 Not Found", "the profile does not exist");
        expect(e.isNotFound).to.equal(true);
    });

    it("404 on an action (createToken on a deleted profile)", async () => {
        const c = writer();
        const created = (await create(c)) as { id: string };
        await c.delete(op('Deleting Android enrollment profile "Kiosk"'), `${DEVICE_OWNER_PATH}/${created.id}`);
        const err = await rejectionOf(
            c.action(op('Creating an enrollment token for "Kiosk"'), `${DEVICE_OWNER_PATH}/${created.id}/createToken`, { tokenValidityInSeconds: 3600 }),
        );
        expectGraphMessage(err, 'Creating an enrollment token for "Kiosk"', "404 Not Found");
    });

    it("429 that never ends: gives up within intune:maxRetrySeconds and suggests lowering the write budget", async () => {
        fault({ method: "POST", status: 429, retryAfter: null });
        const err = await rejectionOf(create(writer({ maxRetrySeconds: "0.5" })));
        const e = expectGraphMessage(
            err,
            'Creating Android enrollment profile "Kiosk"',
            "429 Too Many Requests",
            "Intune kept throttling the request",
            "intune:writesPerWindow",
            "gave up after",
        );
        expect(e.attempts).to.be.greaterThan(1);
        expect(em().profiles("androidDeviceOwnerEnrollmentProfiles")).to.have.length(0);
    });

    it("500 that never ends: retried a few times (usually transient), then reported with the attempts", async () => {
        fault({ method: "GET", status: 500 });
        const err = await rejectionOf(writer().list(READ, DEVICE_OWNER_PATH));
        const e = expectGraphMessage(
            err,
            "Reading Android enrollment profiles",
            "500 Internal Server Error",
            "the Intune service failed: An internal server error occurred.",
            "run again",
            `gave up after ${MAX_SERVER_ERRORS} attempts`,
        );
        expect(e.attempts).to.equal(MAX_SERVER_ERRORS);
        expect(em().requests()).to.have.length(MAX_SERVER_ERRORS);
    });

    it("503 that never ends: gives up with the attempts it made", async () => {
        fault({ method: "PATCH", status: 503, retryAfter: null });
        const c = writer({ maxRetrySeconds: "0.5" });
        const created = (await create(c)) as { id: string };
        const err = await rejectionOf(c.patch(op('Updating Android enrollment profile "Kiosk"'), `${DEVICE_OWNER_PATH}/${created.id}`, { description: "x" }));
        const e = expectGraphMessage(
            err,
            'Updating Android enrollment profile "Kiosk"',
            "503 Service Unavailable",
            "The service is temporarily unavailable",
            "gave up after",
        );
        expect(e.attempts).to.be.greaterThan(1);
    });

    it("504 that never ends on a read: gives up with the attempts it made", async () => {
        fault({ method: "GET", status: 504 });
        const err = await rejectionOf(writer({ maxRetrySeconds: "0.5" }).list(READ, DEVICE_OWNER_PATH));
        const e = expectGraphMessage(
            err,
            "Reading Android enrollment profiles",
            "504 Gateway Timeout",
            "The request timed out at the gateway",
            "gave up after",
        );
        expect(e.attempts).to.be.greaterThan(1);
    });

    it("a read that keeps timing out: names the timeout and the host", async () => {
        fault({ method: "GET", delayMs: 1500 });
        const err = await rejectionOf(writer({ requestTimeoutSeconds: "0.2", maxRetrySeconds: "0.5" }).list(READ, DEVICE_OWNER_PATH));
        expect(err).to.be.instanceOf(GraphRequestError);
        expect(err.message).to.match(
            new RegExp(
                `^Reading Android enrollment profiles failed: Timeout \\(the request timed out \\(\\w+\\); could not reach Microsoft Graph at ${em().graphUrl.replace(/[.]/g, "\\.")}; .*client-request-id ${GUID_TEXT}\\)$`,
            ),
        );
        // The emulator still answers (and logs) each abandoned attempt later: let them land here, not in the next test.
        const attempts = (err as GraphRequestError).attempts;
        await waitUntilVisible(
            async () => (em().requests().length >= attempts ? true : undefined),
            () => true,
            { timeoutMs: 5000, what: "the abandoned reads to finish" },
        );
    });

    it("connection refused: names the host it could not reach", async () => {
        const port = await closedPort();
        const c = clientFor({ graphEndpoint: `https://127.0.0.1:${port}`, accessToken: em().issueToken(), maxRetrySeconds: "0.5" });
        const err = await rejectionOf(c.list(READ, DEVICE_OWNER_PATH));
        expect(err).to.be.instanceOf(GraphRequestError);
        expect(err.message).to.match(
            new RegExp(
                `^Reading Android enrollment profiles failed: NetworkError \\(the connection was refused \\(ECONNREFUSED\\); could not reach Microsoft Graph at https://127\\.0\\.0\\.1:${port}; gave up after \\d+ attempts; client-request-id ${GUID_TEXT}\\)$`,
            ),
        );
    });

    it("TLS failure on Graph (CA not trusted): says how to trust the CA, at once rather than after retrying", async () => {
        const c = clientFor({ graphEndpoint: em().graphUrl, accessToken: em().issueToken(), maxRetrySeconds: "5" });
        const err = await rejectionOf(c.list(READ, DEVICE_OWNER_PATH));
        expect(err).to.be.instanceOf(GraphRequestError);
        expect(err.message).to.match(
            /^Reading Android enrollment profiles failed: NetworkError \(TLS verification failed \([A-Z_]+\): trust the server's CA with intune:caCertificatePath or NODE_EXTRA_CA_CERTS; could not reach Microsoft Graph at https:\/\/127\.0\.0\.1:\d+; client-request-id /,
        );
        expect((err as GraphRequestError).attempts).to.equal(1);
    });

    it("TLS failure at the sign-in authority (CA not trusted): says how to trust the CA", async () => {
        const app = newApp(em());
        const c = clientFor({ ...emulatorConfig(em(), app), caCertificatePath: undefined });
        const err = await rejectionOf(c.list(READ, DEVICE_OWNER_PATH));
        expect(err).to.be.instanceOf(SignInError);
        expect(err.message).to.match(/^Reading Android enrollment profiles failed: could not sign in to Entra ID \(clientSecret\): /);
        expect(err.message).to.contain("intune:caCertificatePath or NODE_EXTRA_CA_CERTS");
    });

    it("sign-in failure (wrong secret): a SignInError that quotes AADSTS7000215, starting with the operation", async () => {
        const app = newApp(em());
        const c = appClient(em(), app.clientId, "not-the-right-secret");
        const err = await rejectionOf(create(c));
        expect(err).to.be.instanceOf(SignInError);
        expect(err.message).to.match(
            /^Creating Android enrollment profile "Kiosk" failed: could not sign in to Entra ID \(clientSecret\): .*AADSTS7000215: Invalid client secret provided\./,
        );
        expect(err.message).to.not.match(/[\r\n]/);
        expect(err.message).to.not.contain("not-the-right-secret");
        expect(em().requests(), "no Graph call was made").to.have.length(0);
    });

    it("sign-in failure (unknown app): quotes AADSTS700016", async () => {
        const err = await rejectionOf(appClient(em(), "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f", "whatever-secret").list(READ, DEVICE_OWNER_PATH));
        expect(err).to.be.instanceOf(SignInError);
        expect(err.message).to.contain("AADSTS700016");
    });

    it("sign-in failure (wrong tenant): quotes AADSTS90002", async () => {
        const app = newApp(em());
        const err = await rejectionOf(
            appClient(em(), app.clientId, app.secret, { tenantId: "00000000-0000-0000-0000-000000000001" }).list(READ, DEVICE_OWNER_PATH),
        );
        expect(err).to.be.instanceOf(SignInError);
        expect(err.message).to.contain("AADSTS90002");
    });

    it("settings errors name the key and the variable before anything is sent", () => {
        let err: unknown;
        try {
            settingsFrom({ clientSecret: "a-secret-value", graphEndpoint: em().graphUrl });
        } catch (e) {
            err = e;
        }
        expect(err).to.be.instanceOf(SettingsError);
        expect((err as Error).message).to.equal(
            "The intune provider is not configured correctly:\n" +
                "  - signing in with a client secret needs `intune:tenantId` or AZURE_TENANT_ID\n" +
                "  - signing in with a client secret needs `intune:clientId` or AZURE_CLIENT_ID",
        );
    });
});

describe("graph client errors: parsing Graph's error envelope", () => {
    it("unwraps Intune's nested JSON message and drops its support breadcrumbs", () => {
        const nested = JSON.stringify({
            _version: 3,
            Message:
                "Enrollment token type 'deviceStaging' is not supported for enrollment mode 'corporateOwnedDedicatedDevice'. - Operation ID (for customer support): 00000000-0000-0000-0000-000000000000 - Activity ID: 1 - Url: https://fef.example/x",
            CustomApiErrorPhrase: "",
        });
        expect(unwrapIntuneMessage(nested)).to.equal(
            "Enrollment token type 'deviceStaging' is not supported for enrollment mode 'corporateOwnedDedicatedDevice'.",
        );
    });

    it("keeps a plain message and a JSON message it cannot read as they are", () => {
        expect(unwrapIntuneMessage("Resource not found for the segment 'assignments'.")).to.equal("Resource not found for the segment 'assignments'.");
        expect(unwrapIntuneMessage('{"_version":3}')).to.equal('{"_version":3}');
        expect(unwrapIntuneMessage("{not json")).to.equal("{not json");
    });

    it("reads code, message and request id from the envelope, and nothing from a body that is not one", () => {
        expect(parseGraphError({ error: { code: "BadRequest", message: "x", innerError: { "request-id": "r1" } } })).to.deep.equal({
            code: "BadRequest",
            message: "x",
            requestId: "r1",
        });
        expect(parseGraphError(undefined)).to.deep.equal({});
        expect(parseGraphError("<html>")).to.deep.equal({});
        expect(parseGraphError({ error: null })).to.deep.equal({});
    });
});
