import { expect } from "chai";
import { randomUUID } from "node:crypto";
import { DEFAULT_APPS } from "../emulator";
import { useEmulator } from "./support/emulator";
import { RawResponse } from "./support/http";
import { brief, DEVICE_OWNER, deviceOwnerBody, expectGraphError, Graph, GUID, MODES } from "./support/emulatorGraph";

/** One request of each kind a client meets; each gets its own client-request-id. */
type Scenario = { name: string; status: number; run: (g: Graph, headers: Record<string, string>) => Promise<RawResponse> };

describe("emulator headers: request-id and client-request-id on every answer", () => {
    const ctx = useEmulator({ throttle: { windowMs: 60_000, appWrites: 1000, tenantWrites: 1000 } });
    const g404 = (): string => `/deviceManagement/${DEVICE_OWNER}/${randomUUID()}`;
    const existing = async (g: Graph): Promise<string> => (await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated))).id as string;

    const scenarios: Scenario[] = [
        { name: "list 200", status: 200, run: (g, headers) => g.get(g.collection(DEVICE_OWNER), { headers }) },
        { name: "create 201", status: 201, run: (g, headers) => g.post(g.collection(DEVICE_OWNER), deviceOwnerBody(MODES.dedicated), { headers }) },
        { name: "update 204", status: 204, run: async (g, headers) => g.patch(g.item(DEVICE_OWNER, await existing(g)), { displayName: "y" }, { headers }) },
        { name: "delete 204", status: 204, run: async (g, headers) => g.delete(g.item(DEVICE_OWNER, await existing(g)), { headers }) },
        {
            name: "createToken 204",
            status: 204,
            run: async (g, headers) => g.post(g.item(DEVICE_OWNER, await existing(g), "/createToken"), { tokenValidityInSeconds: 3600 }, { headers }),
        },
        { name: "not found 404", status: 404, run: (g, headers) => g.get(g.item(DEVICE_OWNER, randomUUID()), { headers }) },
        {
            name: "bad request 400",
            status: 400,
            run: (g, headers) => g.post(g.collection(DEVICE_OWNER), { displayName: "x", enrollmentMode: "nope" }, { headers }),
        },
        { name: "unknown segment 400", status: 400, run: (g, headers) => g.get("/deviceManagement/nope", { headers }) },
        { name: "no token 401", status: 401, run: (g, headers) => g.get(g.collection(DEVICE_OWNER), { headers, token: null }) },
        {
            name: "forbidden 403",
            status: 403,
            run: (g, headers) =>
                g.get(g.collection(DEVICE_OWNER), { headers, token: ctx.emulator.issueToken({ clientId: DEFAULT_APPS[2].clientId, roles: [] }) }),
        },
        { name: "method not allowed 405", status: 405, run: (g, headers) => g.request("PUT", g.collection(DEVICE_OWNER), { headers, body: {} }) },
    ];

    for (const s of scenarios) {
        it(`echoes client-request-id and sends a request-id on ${s.name}`, async () => {
            const g = new Graph(ctx.emulator);
            const clientRequestId = randomUUID();
            const res = await s.run(g, { "client-request-id": clientRequestId });
            expect(res.status, brief(res)).to.equal(s.status);
            expect(res.headers["request-id"]).to.match(GUID);
            expect(res.headers["client-request-id"]).to.equal(clientRequestId);
            if (s.status >= 400) {
                expect(res.json.error.innerError["client-request-id"]).to.equal(clientRequestId);
                expect(res.json.error.innerError["request-id"]).to.equal(res.headers["request-id"]);
            }
        });
    }

    it("gives every answer its own request-id", async () => {
        const g = new Graph(ctx.emulator);
        const a = await g.get(g.collection(DEVICE_OWNER));
        const b = await g.get(g.collection(DEVICE_OWNER));
        expect(a.headers["request-id"]).to.not.equal(b.headers["request-id"]);
    });

    it("fills client-request-id when the client sent none", async () => {
        const res = await new Graph(ctx.emulator).get(g404());
        expect(res.headers["client-request-id"]).to.be.a("string").and.not.equal("");
        expect(res.json.error.innerError["client-request-id"]).to.equal(res.headers["client-request-id"]);
    });

    it("builds the error envelope with code, message and innerError (date, request-id, client-request-id)", async () => {
        const res = await new Graph(ctx.emulator).get(g404());
        expectGraphError(res, 404, "ResourceNotFound");
        expect(res.json.error.message).to.be.a("string").and.not.equal("");
        expect(Object.keys(res.json.error.innerError)).to.include.members(["date", "request-id", "client-request-id"]);
        expect(res.headers["content-type"]).to.match(/^application\/json/);
    });
});

describe("emulator headers on injected faults and throttling", () => {
    const ctx = useEmulator({ throttle: { windowMs: 1000, appWrites: 1 } });

    it("sends request-id and echoes client-request-id on an injected 503", async () => {
        ctx.emulator.setFaults({ statusRates: { "503": 1 } });
        const clientRequestId = randomUUID();
        const res = await new Graph(ctx.emulator).get(`/deviceManagement/${DEVICE_OWNER}`, { headers: { "client-request-id": clientRequestId } });
        expectGraphError(res, 503, "ServiceUnavailable");
        expect(res.headers["request-id"]).to.match(GUID);
        expect(res.headers["client-request-id"]).to.equal(clientRequestId);
    });

    it("sends request-id and echoes client-request-id on a 429", async () => {
        const g = new Graph(ctx.emulator);
        await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated));
        const clientRequestId = randomUUID();
        const res = await g.post(g.collection(DEVICE_OWNER), deviceOwnerBody(MODES.dedicated), { headers: { "client-request-id": clientRequestId } });
        expectGraphError(res, 429, "TooManyRequests");
        expect(res.headers["request-id"]).to.match(GUID);
        expect(res.headers["client-request-id"]).to.equal(clientRequestId);
    });
});
