import { expect } from "chai";
import { DEFAULT_THROTTLE } from "../emulator";
import { GraphRequestError } from "../provider/graph/errors";
import { retryAfterMs } from "../provider/graph/handlers/retry";
import { useEmulator } from "./support/emulator";
import {
    clientFor,
    createDirect,
    DEVICE_OWNER_PATH,
    emulatorConfig,
    FakeGraph,
    freshClient,
    GUID_TEXT,
    newApp,
    op,
    READ,
    rejectionOf,
} from "./support/graphClient";

const GUID = new RegExp(`^${GUID_TEXT}$`);

describe("graph client retry: retryAfterMs reads every Retry-After form", () => {
    const now = Date.parse("2026-11-23T10:00:00.000Z");

    it("reads whole seconds", () => {
        expect(retryAfterMs({ "retry-after": "7" }, now)).to.equal(7000);
    });

    it("reads fractional seconds and surrounding blanks", () => {
        expect(retryAfterMs({ "retry-after": " 1.5 " }, now)).to.equal(1500);
    });

    it("reads zero as retry at once", () => {
        expect(retryAfterMs({ "retry-after": "0" }, now)).to.equal(0);
    });

    it("reads an HTTP date as the time left until then", () => {
        expect(retryAfterMs({ "retry-after": "Mon, 23 Nov 2026 10:00:30 GMT" }, now)).to.equal(30_000);
    });

    it("reads an HTTP date in the past as retry at once", () => {
        expect(retryAfterMs({ "retry-after": "Mon, 23 Nov 2026 09:59:00 GMT" }, now)).to.equal(0);
    });

    it("prefers Azure's millisecond headers", () => {
        expect(retryAfterMs({ "retry-after-ms": "250", "retry-after": "1" }, now)).to.equal(250);
        expect(retryAfterMs({ "x-ms-retry-after-ms": "125" }, now)).to.equal(125);
    });

    it("returns undefined when there is no hint or it cannot be read", () => {
        expect(retryAfterMs({}, now)).to.equal(undefined);
        expect(retryAfterMs({ "retry-after": "soon" }, now)).to.equal(undefined);
    });
});

describe("graph client retry: throttling and unavailability are absorbed", function () {
    this.timeout(60_000);
    const ctx = useEmulator();
    afterEach(() => ctx.emulator.setThrottle(DEFAULT_THROTTLE));

    it("absorbs a 429 storm without Retry-After: every create and update succeeds", async () => {
        ctx.emulator.setThrottle({ windowMs: 1000, appWrites: 5, appRequests: 50, tenantWrites: 10, tenantRequests: 100, retryAfter: false });
        // The client knows the (scaled) window but not the emulator's tiny limits: it believes it may send 100 writes
        // per second, meets 429s without Retry-After, and must back off on its own.
        const { client } = freshClient(ctx.emulator, { throttleWindowSeconds: "1" });
        const names = Array.from({ length: 12 }, (_, i) => `Storm ${i}`);
        const created = await Promise.all(names.map((n) => createDirect(client, n)));
        await Promise.all(
            created.map((p) => client.patch(op(`Updating "${p.displayName as string}"`), `${DEVICE_OWNER_PATH}/${p.id}`, { description: "after the storm" })),
        );
        const log = ctx.emulator.requests();
        const throttled = log.filter((r) => r.status === 429);
        expect(throttled.length, "the storm happened").to.be.greaterThan(0);
        expect(log.filter((r) => r.operation === "create" && r.status === 201)).to.have.length(12);
        expect(log.filter((r) => r.operation === "update" && r.status === 204)).to.have.length(12);
        const stored = ctx.emulator.profiles("androidDeviceOwnerEnrollmentProfiles");
        expect(stored).to.have.length(12);
        expect(stored.every((p) => p.description === "after the storm")).to.equal(true);
    });

    it("absorbs a 503/504 mix on GETs and PATCHes", async () => {
        const { client } = freshClient(ctx.emulator);
        const created = await Promise.all(Array.from({ length: 12 }, (_, i) => createDirect(client, `Flaky ${i}`)));
        ctx.emulator.setFaults({ statusRates: { "503": 0.3, "504": 0.2 } });
        const reads = created.map((p) => client.get(READ, `${DEVICE_OWNER_PATH}/${p.id}`));
        const writes = created.map((p) =>
            client.patch(op(`Updating "${p.displayName as string}"`), `${DEVICE_OWNER_PATH}/${p.id}`, { description: "patched through faults" }),
        );
        const results = await Promise.all([...reads, ...writes]);
        expect(results.slice(0, 12).map((r) => (r as { id: string }).id)).to.deep.equal(created.map((p) => p.id));
        const log = ctx.emulator.requests();
        expect(log.filter((r) => r.status === 503).length, "some 503s were injected").to.be.greaterThan(0);
        expect(log.filter((r) => r.status === 504).length, "some 504s were injected").to.be.greaterThan(0);
        expect(log.filter((r) => r.operation === "get" && r.status === 200)).to.have.length(12);
        expect(log.filter((r) => r.operation === "update" && r.status === 204)).to.have.length(12);
        ctx.emulator.clearFaults();
        expect(ctx.emulator.profiles("androidDeviceOwnerEnrollmentProfiles").every((p) => p.description === "patched through faults")).to.equal(true);
    });

    it("absorbs 500s and 502s: reads and updates retried, creates probed first and never duplicated", async () => {
        // A create answered 500 or 502 may have taken effect: these two did (the fault hits the answer, after the
        // profile is stored), so a client that sent them again without probing first would make duplicates.
        const { client } = freshClient(ctx.emulator, {}, { probeSettleMs: 300 });
        ctx.emulator.setFaults({
            rules: [
                { method: "POST", path: "EnrollmentProfiles$", status: 502, afterCommit: true, times: 1 },
                { method: "POST", path: "EnrollmentProfiles$", status: 500, afterCommit: true, times: 1 },
                { method: "PATCH", status: 500, times: 2 },
                { method: "PATCH", status: 502, times: 2 },
                { method: "GET", path: "/[0-9a-f-]{36}$", status: 502, times: 3 },
            ],
        });
        const created = await Promise.all(Array.from({ length: 4 }, (_, i) => createDirect(client, `Server error ${i}`)));
        await Promise.all(
            created.map((p) => client.patch(op(`Updating "${p.displayName as string}"`), `${DEVICE_OWNER_PATH}/${p.id}`, { description: "after 5xx" })),
        );
        const read = await Promise.all(created.map((p) => client.get(READ, `${DEVICE_OWNER_PATH}/${p.id}`)));
        const log = ctx.emulator.requests();
        expect(log.filter((r) => r.status === 500)).to.have.length(3);
        expect(log.filter((r) => r.status === 502)).to.have.length(6);
        // One POST per profile, and the two whose answers were lost were looked for (a list by displayName) instead.
        expect(log.filter((r) => r.method === "POST" && r.operation === "create")).to.have.length(4);
        expect(log.filter((r) => r.method === "GET" && r.operation === "list").length, "probes").to.be.at.least(2);
        ctx.emulator.clearFaults();
        const stored = ctx.emulator.profiles("androidDeviceOwnerEnrollmentProfiles");
        expect(stored.map((p) => p.displayName).sort()).to.deep.equal(created.map((p) => p.displayName).sort());
        expect(created.map((p) => p.id).sort()).to.deep.equal(stored.map((p) => p.id).sort());
        expect(read.every((p) => (p as { description?: string }).description === "after 5xx")).to.equal(true);
    });

    it("keeps one client-request-id across the retries of a request, and a new one per request", async () => {
        const { client } = freshClient(ctx.emulator);
        ctx.emulator.setFaults({ rules: [{ method: "GET", status: 503, retryAfter: 0, times: 2 }] });
        await client.list(READ, DEVICE_OWNER_PATH);
        await client.list(READ, DEVICE_OWNER_PATH);
        const log = ctx.emulator.requests();
        expect(log.map((r) => r.status)).to.deep.equal([503, 503, 200, 200]);
        expect(log[0].clientRequestId).to.match(GUID);
        expect(log[1].clientRequestId).to.equal(log[0].clientRequestId);
        expect(log[2].clientRequestId).to.equal(log[0].clientRequestId);
        expect(log[3].clientRequestId).to.match(GUID).and.not.equal(log[0].clientRequestId);
    });

    it("honours Retry-After in seconds on a 429", async () => {
        const delays: number[] = [];
        const app = newApp(ctx.emulator);
        const client = clientFor(emulatorConfig(ctx.emulator, app), { sleep: async (ms) => void delays.push(ms) });
        ctx.emulator.setFaults({ rules: [{ method: "GET", status: 429, retryAfter: 1, times: 1 }] });
        await client.list(READ, DEVICE_OWNER_PATH);
        expect(delays).to.deep.equal([1000]);
        expect(ctx.emulator.requests().map((r) => r.status)).to.deep.equal([429, 200]);
    });

    it("honours Retry-After in seconds on a 503", async () => {
        const delays: number[] = [];
        const app = newApp(ctx.emulator);
        const client = clientFor(emulatorConfig(ctx.emulator, app), { sleep: async (ms) => void delays.push(ms) });
        ctx.emulator.setFaults({ rules: [{ method: "PATCH", status: 503, retryAfter: 3, times: 2 }] });
        const created = await createDirect(client, "Retry-After seconds");
        await client.patch(op("Updating"), `${DEVICE_OWNER_PATH}/${created.id}`, { description: "x" });
        expect(delays).to.deep.equal([3000, 3000]);
    });

    it("gives up within intune:maxRetrySeconds against a permanent 503, saying how many attempts it made", async () => {
        const { client } = freshClient(ctx.emulator, { maxRetrySeconds: "0.6" });
        ctx.emulator.setFaults({ rules: [{ method: "GET", status: 503, retryAfter: null }] });
        const err = await rejectionOf(client.list(READ, DEVICE_OWNER_PATH));
        expect(err).to.be.instanceOf(GraphRequestError);
        const e = err as GraphRequestError;
        expect(e.status).to.equal(503);
        expect(e.attempts).to.be.greaterThan(1);
        expect(e.attempts).to.equal(ctx.emulator.requests().length);
        expect(e.message).to.match(
            new RegExp(
                `^Reading Android enrollment profiles failed: 503 Service Unavailable \\(.*gave up after ${e.attempts} attempts; request-id ${GUID_TEXT}; client-request-id ${GUID_TEXT}\\)$`,
            ),
        );
    });

    it("does not wait out a Retry-After longer than what is left of intune:maxRetrySeconds", async () => {
        const delays: number[] = [];
        const app = newApp(ctx.emulator);
        const client = clientFor(emulatorConfig(ctx.emulator, app, { maxRetrySeconds: "2" }), { sleep: async (ms) => void delays.push(ms) });
        ctx.emulator.setFaults({ rules: [{ method: "GET", status: 503, retryAfter: 120 }] });
        const err = await rejectionOf(client.list(READ, DEVICE_OWNER_PATH));
        expect((err as GraphRequestError).status).to.equal(503);
        expect(delays).to.deep.equal([]);
        expect(ctx.emulator.requests()).to.have.length(1);
    });
});

describe("graph client retry: what goes on the wire", function () {
    this.timeout(20_000);
    const fakes: FakeGraph[] = [];
    afterEach(async () => {
        for (const f of fakes.splice(0)) await f.stop();
    });

    async function fake(answers: ConstructorParameters<typeof FakeGraph>[0]): Promise<FakeGraph> {
        const f = await new FakeGraph(answers).start();
        fakes.push(f);
        return f;
    }

    function clientOf(f: FakeGraph, sleep?: (ms: number) => Promise<void>): ReturnType<typeof clientFor> {
        // An opaque pre-acquired token: no sign-in, so the fake sees only Graph calls.
        return clientFor({ graphEndpoint: f.url, caCertificatePath: f.caPath, accessToken: "opaque-test-access-token" }, sleep ? { sleep } : {});
    }

    it("adds a Retry-Attempt header on each retry, none on the first send", async () => {
        const f = await fake([{ status: 503, headers: { "Retry-After": "0" } }, { status: 504 }, { status: 200, body: { value: [] } }]);
        await clientOf(f).list(READ, DEVICE_OWNER_PATH);
        expect(f.seen.map((s) => s.headers["retry-attempt"])).to.deep.equal([undefined, "1", "2"]);
        const ids = f.seen.map((s) => s.headers["client-request-id"]);
        expect(ids[0]).to.match(GUID);
        expect(new Set(ids).size, "same client-request-id on every attempt").to.equal(1);
        expect(f.seen[0].headers["authorization"]).to.equal("Bearer opaque-test-access-token");
        expect(f.seen[0].headers["user-agent"]).to.match(/^pulumi-intune-enrollment\//);
    });

    it("honours Retry-After as an HTTP date", async () => {
        const at = new Date(Date.now() + 2500);
        const f = await fake([
            { status: 503, headers: { "Retry-After": at.toUTCString() } },
            { status: 200, body: { value: [] } },
        ]);
        const delays: number[] = [];
        await clientOf(f, async (ms) => void delays.push(ms)).list(READ, DEVICE_OWNER_PATH);
        expect(delays).to.have.length(1);
        // The date has whole seconds: the wait is what is left until then, never more than asked.
        expect(delays[0]).to.be.within(1000, 2500);
        expect(f.seen).to.have.length(2);
    });

    it("takes a nextLink written with another host (Graph behind a gateway) onto its own root: the token never goes there", async () => {
        const f = await fake([
            { status: 200, body: { value: [{ id: "a" }], "@odata.nextLink": "https://graph.example/beta/deviceManagement/x?$skiptoken=1" } },
            { status: 200, body: { value: [{ id: "b" }] } },
        ]);
        expect(await clientOf(f).list(READ, DEVICE_OWNER_PATH)).to.deep.equal([{ id: "a" }, { id: "b" }]);
        expect(f.seen.map((r) => r.url)).to.have.length(2);
        expect(f.seen[1].url).to.equal("/beta/deviceManagement/x?$skiptoken=1");
    });

    it("fails a list whose nextLink leads back to a page already read, rather than read it forever", async () => {
        const f = await fake([
            { status: 200, body: { value: [{ id: "a" }], "@odata.nextLink": "https://graph.example/beta/deviceManagement/x?$skiptoken=1" } },
        ]);
        const err = await rejectionOf(clientOf(f).list(READ, DEVICE_OWNER_PATH));
        expect(err.message).to.contain("leads back to a page already read");
        expect(f.seen).to.have.length(2);
    });

    it("fails a list whose nextLink is no Graph link, rather than end it early and miss profiles", async () => {
        const f = await fake([{ status: 200, body: { value: [{ id: "a" }], "@odata.nextLink": "https://elsewhere.example/page2" } }]);
        const err = await rejectionOf(clientOf(f).list(READ, DEVICE_OWNER_PATH));
        expect(err.message).to.contain("@odata.nextLink is not a Graph beta link").and.not.contain("elsewhere.example");
        expect(f.seen).to.have.length(1);
    });
});

describe("graph client: a list through a gateway", () => {
    const ctx = useEmulator({ behaviour: { maxPageSize: 2, nextLinkOrigin: "graph" } });

    it("reads every page when the service's nextLinks name Microsoft Graph's own host, asking only its own root", async () => {
        const { client } = freshClient(ctx.emulator);
        const created = await Promise.all(Array.from({ length: 5 }, (_, i) => createDirect(client, `Paged ${i}`)));
        const listed = (await client.list(READ, DEVICE_OWNER_PATH)) as { id: string }[];
        expect(listed.map((p) => p.id)).to.have.members(created.map((p) => p.id));
        const pages = ctx.emulator.requests().filter((r) => r.method === "GET" && r.operation === "list");
        expect(pages, "three pages of two, all asked of the emulator").to.have.length(3);
    });
});
