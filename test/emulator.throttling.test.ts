import { expect } from "chai";
import { randomUUID } from "node:crypto";
import { GRAPH_READWRITE_ALL, RunningEmulator } from "../emulator";
import { useEmulator } from "./support/emulator";
import { RawResponse } from "./support/http";
import { brief, expectGraphError, Graph, intuneMessage, LEGACY, legacyBody, sleep } from "./support/emulatorGraph";

/** Intune's limits scaled down: a 1 s window, 5 writes and 20 requests per app, 8 writes and 30 requests per tenant. */
const LIMITS = { windowMs: 1000, appWrites: 5, appRequests: 20, tenantWrites: 8, tenantRequests: 30 };

/** A Graph caller for a distinct app (throttling is keyed on the token's appid). */
const appCaller = (emulator: RunningEmulator): Graph => new Graph(emulator, emulator.issueToken({ clientId: randomUUID(), roles: [GRAPH_READWRITE_ALL] }));

/** A cheap write: creating a legacy profile renders no QR code. */
const write = (g: Graph): Promise<RawResponse> => g.post(g.collection(LEGACY), legacyBody());
const read = (g: Graph): Promise<RawResponse> => g.get(g.collection(LEGACY, "?$top=1"));

/** Sends `n` requests in a row and insists every one passed. */
async function spend(n: number, send: () => Promise<RawResponse>): Promise<void> {
    for (let i = 0; i < n; i++) {
        const res = await send();
        expect(res.status, `request ${i + 1} of ${n}: ${brief(res)}`).to.be.within(200, 299);
    }
}

function expectThrottled(res: RawResponse, scope: "application" | "tenant"): void {
    expectGraphError(res, 429, "TooManyRequests");
    expect(intuneMessage(res).Message).to.contain(`for this ${scope}`);
}

describe("emulator throttling with a scaled window", () => {
    const ctx = useEmulator({ throttle: LIMITS });

    it("answers the 6th write in a window with 429 TooManyRequests, Retry-After and retry-after-ms", async () => {
        const g = appCaller(ctx.emulator);
        await spend(LIMITS.appWrites, () => write(g));
        const res = await write(g);
        expectThrottled(res, "application");
        expect(res.headers["retry-after"]).to.match(/^\d+$/);
        expect(Number(res.headers["retry-after"])).to.be.at.least(1);
        const ms = Number(res.headers["retry-after-ms"]);
        expect(ms).to.be.greaterThan(0).and.at.most(LIMITS.windowMs);
        expect(ctx.emulator.profiles(LEGACY)).to.have.length(LIMITS.appWrites);
    });

    it("lets writes through again after waiting as told", async () => {
        const g = appCaller(ctx.emulator);
        await spend(LIMITS.appWrites, () => write(g));
        const refused = await write(g);
        expect(refused.status).to.equal(429);
        await sleep(Number(refused.headers["retry-after-ms"]) + 50);
        expect((await write(g)).status).to.equal(201);
    });

    it("keeps reading while an app's writes are throttled", async () => {
        const g = appCaller(ctx.emulator);
        await spend(LIMITS.appWrites, () => write(g));
        expect((await write(g)).status).to.equal(429);
        expect((await read(g)).status).to.equal(200);
    });

    it("limits all requests, reads included, by appRequests", async () => {
        const g = appCaller(ctx.emulator);
        await spend(LIMITS.appRequests, () => read(g));
        expectThrottled(await read(g), "application");
    });

    it("counts per app: another app still passes when one is throttled", async () => {
        const busy = appCaller(ctx.emulator);
        const other = appCaller(ctx.emulator);
        await spend(LIMITS.appWrites, () => write(busy));
        expect((await write(busy)).status).to.equal(429);
        expect((await write(other)).status).to.equal(201);
        await spend(LIMITS.appRequests - LIMITS.appWrites, () => read(busy));
        expect((await read(busy)).status).to.equal(429);
        expect((await read(other)).status).to.equal(200);
    });

    it("applies the tenant's write limit across apps", async () => {
        const first = appCaller(ctx.emulator);
        const second = appCaller(ctx.emulator);
        await spend(LIMITS.appWrites, () => write(first));
        await spend(LIMITS.tenantWrites - LIMITS.appWrites, () => write(second));
        expectThrottled(await write(second), "tenant");
        expectThrottled(await write(appCaller(ctx.emulator)), "tenant");
    });

    it("applies the tenant's request limit across apps", async () => {
        const first = appCaller(ctx.emulator);
        const second = appCaller(ctx.emulator);
        await spend(LIMITS.appRequests, () => read(first));
        await spend(LIMITS.tenantRequests - LIMITS.appRequests, () => read(second));
        expectThrottled(await read(second), "tenant");
    });

    it("does not throttle when the throttle is disabled at runtime", async () => {
        ctx.emulator.setThrottle({ enabled: false });
        try {
            const g = appCaller(ctx.emulator);
            await spend(LIMITS.appWrites * 2, () => write(g));
        } finally {
            ctx.emulator.setThrottle({ enabled: true });
        }
    });
});

describe("emulator throttling without Retry-After (throttle.retryAfter false)", () => {
    const ctx = useEmulator({ throttle: { ...LIMITS, retryAfter: false } });

    it("answers 429 with neither Retry-After nor retry-after-ms", async () => {
        const g = appCaller(ctx.emulator);
        await spend(LIMITS.appWrites, () => write(g));
        const res = await write(g);
        expectThrottled(res, "application");
        expect(res.headers).to.not.have.property("retry-after");
        expect(res.headers).to.not.have.property("retry-after-ms");
    });
});

describe("emulator throttling with Intune's own 20 s window", () => {
    const ctx = useEmulator({ throttle: { appWrites: 1 } });

    it("answers 429 with Retry-After in whole seconds up to 20, and no retry-after-ms", async () => {
        const g = appCaller(ctx.emulator);
        await spend(1, () => write(g));
        const res = await write(g);
        expectThrottled(res, "application");
        expect(Number(res.headers["retry-after"])).to.be.within(19, 20);
        expect(res.headers).to.not.have.property("retry-after-ms");
    });
});
