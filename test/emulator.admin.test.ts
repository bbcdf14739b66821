import { expect } from "chai";
import { DEFAULT_APPS, GRAPH_READWRITE_ALL } from "../emulator";
import { useEmulator } from "./support/emulator";
import { call } from "./support/http";
import {
    admin,
    DAY_SECONDS,
    DEVICE_OWNER,
    deviceOwnerBody,
    expectGraphError,
    Graph,
    GRAPH_TIMESTAMP,
    Json,
    LEGACY,
    legacyBody,
    MODES,
    TOKEN_SELECT,
} from "./support/emulatorGraph";

const DAY_MS = DAY_SECONDS * 1000;

describe("emulator admin endpoint over HTTP", () => {
    const ctx = useEmulator();
    const graph = (): Graph => new Graph(ctx.emulator);

    it("answers GET /_emulator/health with ok, the url and the tenant, without auth", async () => {
        const res = await admin(ctx.emulator, "GET", "/health");
        expect(res.status).to.equal(200);
        expect(res.json).to.deep.equal({ ok: true, url: ctx.emulator.url, tenantId: ctx.emulator.tenantId });
    });

    it("answers an unknown admin route with 404", async () => {
        expect((await admin(ctx.emulator, "GET", "/nope")).status).to.equal(404);
        expect((await admin(ctx.emulator, "GET", "/profiles/notACollection")).status).to.equal(404);
    });

    it("answers a non-JSON body with 400", async () => {
        const res = await call(ctx.emulator.caPem, "POST", `${ctx.emulator.url}/_emulator/faults`, { rawBody: "{oops" });
        expect(res.status).to.equal(400);
    });

    it("POST /_emulator/reset removes profiles, runtime faults, the clock offset and the request log", async () => {
        const g = graph();
        await g.create(LEGACY, legacyBody());
        await admin(ctx.emulator, "POST", "/faults", { latencyMs: 5 });
        await admin(ctx.emulator, "POST", "/clock", { advanceMs: DAY_MS });
        expect((await admin(ctx.emulator, "POST", "/reset")).status).to.equal(204);
        expect(ctx.emulator.profiles(LEGACY)).to.have.length(0);
        expect((await admin(ctx.emulator, "GET", "/faults")).json.latencyMs).to.equal(0);
        expect(ctx.emulator.clockOffset()).to.equal(0);
        expect((await admin(ctx.emulator, "GET", "/requests")).json.value).to.have.length(0);
    });

    it("moves the clock with POST /_emulator/clock: a token expires by the emulator's clock", async () => {
        const g = graph();
        const created = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.aospUserless));
        await g.post(g.item(DEVICE_OWNER, created.id, "/createToken"), { tokenValidityInSeconds: DAY_SECONDS });
        const expiry = Date.parse((await g.read(DEVICE_OWNER, created.id, TOKEN_SELECT)).tokenExpirationDateTime);
        const filterExpired = (at: number) =>
            g.get(g.collection(DEVICE_OWNER, `?$filter=${encodeURIComponent(`tokenExpirationDateTime lt ${new Date(at).toISOString()}`)}`));

        const before = await admin(ctx.emulator, "POST", "/clock", {});
        expect(Date.parse(before.json.now)).to.be.below(expiry);
        expect((await filterExpired(Date.parse(before.json.now))).json.value).to.have.length(0);

        const moved = await admin(ctx.emulator, "POST", "/clock", { advanceMs: 2 * DAY_MS });
        expect(moved.status).to.equal(200);
        expect(moved.json.offsetMs).to.equal(2 * DAY_MS);
        const emulatorNow = Date.parse(moved.json.now);
        expect(emulatorNow).to.be.above(expiry);
        expect((await filterExpired(emulatorNow)).json.value.map((p: Json) => p.id)).to.deep.equal([created.id]);

        // Writes are stamped with the emulator's clock, and a new token's validity counts from it.
        await g.patch(g.item(DEVICE_OWNER, created.id), { description: "after the jump" });
        const stamped = await g.read(DEVICE_OWNER, created.id);
        expect(Date.parse(stamped.lastModifiedDateTime)).to.be.above(expiry);
        await g.post(g.item(DEVICE_OWNER, created.id, "/createToken"), { tokenValidityInSeconds: DAY_SECONDS });
        const renewed = await g.read(DEVICE_OWNER, created.id, TOKEN_SELECT);
        expect(Date.parse(renewed.tokenExpirationDateTime)).to.be.above(emulatorNow);

        const reset = await admin(ctx.emulator, "POST", "/clock", { offsetMs: 0 });
        expect(reset.json.offsetMs).to.equal(0);
    });

    it("creates a profile as the Intune portal would with POST /_emulator/profiles/{collection}", async () => {
        const res = await admin(ctx.emulator, "POST", `/profiles/${DEVICE_OWNER}`, deviceOwnerBody(MODES.workProfile, { displayName: "Made in the portal" }));
        expect(res.status).to.equal(201);
        expect(res.json.tokenValue).to.match(/^[A-Z]{8}$/);
        const g = graph();
        const read = await g.read(DEVICE_OWNER, res.json.id, TOKEN_SELECT);
        expect(read.tokenValue).to.equal(res.json.tokenValue);
        expect((await g.read(DEVICE_OWNER, res.json.id)).displayName).to.equal("Made in the portal");
        expect((await admin(ctx.emulator, "GET", `/profiles/${DEVICE_OWNER}`)).json.value.map((p: Json) => p.id)).to.deep.equal([res.json.id]);
    });

    it("refuses an invalid portal profile with 400", async () => {
        const res = await admin(ctx.emulator, "POST", `/profiles/${DEVICE_OWNER}`, { displayName: "x", enrollmentMode: "nope" });
        expect(res.status).to.equal(400);
        expect(ctx.emulator.profiles(DEVICE_OWNER)).to.have.length(0);
    });

    it("changes a profile behind the client's back with PATCH /_emulator/profiles/{collection}/{id}", async () => {
        const g = graph();
        const created = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated));
        const res = await admin(ctx.emulator, "PATCH", `/profiles/${DEVICE_OWNER}/${created.id}`, { displayName: "Renamed in portal", enrolledDeviceCount: 3 });
        expect(res.status).to.equal(200);
        const read = await g.read(DEVICE_OWNER, created.id);
        expect(read.displayName).to.equal("Renamed in portal");
        expect(read.enrolledDeviceCount).to.equal(3);
        expect(read.lastModifiedDateTime).to.match(GRAPH_TIMESTAMP).and.not.equal(created.lastModifiedDateTime);
    });

    it("deletes a profile out of band with DELETE /_emulator/profiles/{collection}/{id}: Graph then answers 404", async () => {
        const g = graph();
        const created = await g.create(LEGACY, legacyBody());
        expect((await admin(ctx.emulator, "DELETE", `/profiles/${LEGACY}/${created.id}`)).status).to.equal(204);
        expectGraphError(await g.get(g.item(LEGACY, created.id)), 404, "ResourceNotFound");
        expect((await admin(ctx.emulator, "DELETE", `/profiles/${LEGACY}/${created.id}`)).status).to.equal(404);
    });

    it("logs Graph requests with operation and status on GET /_emulator/requests, and clears them with DELETE", async () => {
        const g = graph();
        const created = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated));
        await g.get(g.collection(DEVICE_OWNER));
        await g.get(g.collection(DEVICE_OWNER));
        await g.post(g.item(DEVICE_OWNER, created.id, "/createToken"), { tokenValidityInSeconds: 3600 });
        await g.get(g.item(DEVICE_OWNER, "missing"));
        await admin(ctx.emulator, "GET", "/health");
        const log = (await admin(ctx.emulator, "GET", "/requests")).json.value as Json[];
        const count = (operation: string) => log.filter((r) => r.operation === operation).length;
        expect(log).to.have.length(5);
        expect([count("create"), count("list"), count("createToken"), count("get")]).to.deep.equal([1, 2, 1, 1]);
        expect(log.find((r) => r.operation === "get").status).to.equal(404);
        expect(log.every((r) => r.appId === DEFAULT_APPS[0].clientId)).to.equal(true);
        expect((await admin(ctx.emulator, "DELETE", "/requests")).status).to.equal(204);
        expect((await admin(ctx.emulator, "GET", "/requests")).json.value).to.have.length(0);
    });

    it("switches behaviour with PATCH /_emulator/behaviour", async () => {
        const g = graph();
        const created = await g.create(LEGACY, legacyBody());
        expect((await admin(ctx.emulator, "PATCH", "/behaviour", { patchReturnsEntity: true })).status).to.equal(204);
        try {
            const res = await g.patch(g.item(LEGACY, created.id), { displayName: "Now 200" });
            expect(res.status).to.equal(200);
            expect(res.json.displayName).to.equal("Now 200");
        } finally {
            await admin(ctx.emulator, "PATCH", "/behaviour", { patchReturnsEntity: false });
        }
    });

    it("changes limits with PATCH /_emulator/throttle", async () => {
        const g = graph();
        await admin(ctx.emulator, "PATCH", "/throttle", { windowMs: 60_000, appWrites: 1 });
        try {
            await g.create(LEGACY, legacyBody());
            expectGraphError(await g.post(g.collection(LEGACY), legacyBody()), 429, "TooManyRequests");
        } finally {
            await admin(ctx.emulator, "PATCH", "/throttle", { windowMs: 20_000, appWrites: 100 });
        }
    });

    it("registers an app with POST /_emulator/apps and issues tokens with POST /_emulator/tokens", async () => {
        const clientId = "3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f";
        expect((await admin(ctx.emulator, "POST", "/apps", { clientId, secret: "s", roles: [GRAPH_READWRITE_ALL] })).status).to.equal(204);
        const issued = await admin(ctx.emulator, "POST", "/tokens", { clientId, roles: [GRAPH_READWRITE_ALL] });
        const g = new Graph(ctx.emulator, issued.json.access_token);
        expect((await g.post(g.collection(LEGACY), legacyBody())).status).to.equal(201);
        expect(ctx.emulator.requests().at(-1)?.appId).to.equal(clientId);
    });
});

describe("emulator admin reset keeps what the emulator was started with", () => {
    const ctx = useEmulator({ faults: { statusRates: { "503": 1 } } });

    it("restores the start options' faults and drops the runtime ones on POST /_emulator/reset", async () => {
        await admin(ctx.emulator, "PATCH", "/faults", { statusRates: {}, latencyMs: 7 });
        expect((await admin(ctx.emulator, "POST", "/reset")).status).to.equal(204);
        const faults = (await admin(ctx.emulator, "GET", "/faults")).json;
        expect(faults.statusRates).to.deep.equal({ "503": 1 });
        expect(faults.latencyMs).to.equal(0);
    });
});
