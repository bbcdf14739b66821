import { expect } from "chai";
import { DEFAULT_THROTTLE, RecordedRequest, ThrottleSettings } from "../emulator";
import { RequestBudget } from "../provider/graph/budget";
import { GraphClient } from "../provider/graph/client";
import { useEmulator } from "./support/emulator";
import { clientFor, Config, emulatorConfig, LEGACY_PATH, newApp, op, probeByName } from "./support/graphClient";

/** Intune's real limits (100 writes, 1000 requests per app; 200 / 2000 per tenant), in a 1-second window instead of 20. */
const SCALED: Partial<ThrottleSettings> = { windowMs: 1000, appWrites: 100, appRequests: 1000, tenantWrites: 200, tenantRequests: 2000, retryAfter: true };
const CLIENT_LIMITS: Config = { writesPerWindow: "100", requestsPerWindow: "1000", throttleWindowSeconds: "1" };

function summarize(log: RecordedRequest[]): { creates: number; throttled: number; other: number } {
    return {
        creates: log.filter((r) => r.operation === "create" && r.status === 201).length,
        throttled: log.filter((r) => r.status === 429).length,
        other: log.filter((r) => r.status !== 201 && r.status !== 429).length,
    };
}

describe("graph client budget: RequestBudget on its own", () => {
    const tick = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

    it("counts a request from its release until a window after its answer, however long it was in flight", async () => {
        let now = 0;
        const budget = new RequestBudget({ writesPerWindow: 1, requestsPerWindow: 10, windowMs: 100 }, () => now);
        const first = await budget.acquire("write");
        let second: (() => void) | undefined;
        void budget.acquire("write").then((done) => (second = done));
        now = 10_000; // far past the window, but the first write has not been answered yet
        await tick(50);
        void budget.acquire("read"); // pumps the queues at the new time
        await tick(50);
        expect(second, "still waiting while the first write is in flight").to.equal(undefined);
        first();
        await tick(150);
        expect(second, "answered just now: the window starts at the answer").to.equal(undefined);
        now = 10_200;
        await tick(200);
        expect(second).to.be.a("function");
    });

    it("lets reads through while writes wait", async () => {
        const now = 0;
        const budget = new RequestBudget({ writesPerWindow: 1, requestsPerWindow: 10, windowMs: 60_000 }, () => now);
        await budget.acquire("write");
        let wrote = false;
        void budget.acquire("write").then(() => (wrote = true));
        const reads = await Promise.all([budget.acquire("read"), budget.acquire("read"), budget.acquire("read")]);
        expect(reads).to.have.length(3);
        expect(wrote).to.equal(false);
    });
});

describe("graph client budget: a burst of writes at Intune's limits", function () {
    this.timeout(60_000);
    const ctx = useEmulator({ throttle: SCALED });
    after(() => ctx.emulator.setThrottle(DEFAULT_THROTTLE));

    // Legacy (androidForWork) profiles get no token on create, so the emulator spends no time drawing QR codes and
    // the burst really runs at the limit.
    async function burst(clients: GraphClient[], count: number): Promise<unknown[]> {
        return Promise.all(
            Array.from({ length: count }, (_, i) => {
                const client = clients[i % clients.length];
                const name = `Burst ${i}`;
                return client.create(
                    op(`Creating Android enrollment profile "${name}"`),
                    LEGACY_PATH,
                    { displayName: name },
                    probeByName(client, name, LEGACY_PATH),
                );
            }),
        );
    }

    it("creates 300 profiles at once with zero failed calls", async () => {
        const app = newApp(ctx.emulator);
        const client = clientFor(emulatorConfig(ctx.emulator, app, CLIENT_LIMITS));
        const created = await burst([client], 300);
        expect(created).to.have.length(300);
        const s = summarize(ctx.emulator.requests());
        console.log(`      300-write burst: ${s.creates} creates answered 201, ${s.throttled} answered 429`);
        expect(s.creates).to.equal(300);
        expect(s.other, "no request failed in any other way").to.equal(0);
        expect(s.throttled, "the shared budget keeps 429s near zero").to.be.at.most(15);
        expect(ctx.emulator.profiles("androidForWorkEnrollmentProfiles")).to.have.length(300);
    });

    it("shares one budget between clients of the same app, as resources of one run do", async () => {
        const app = newApp(ctx.emulator);
        const config = emulatorConfig(ctx.emulator, app, CLIENT_LIMITS);
        const created = await burst([clientFor(config), clientFor(config), clientFor(config)], 300);
        expect(created).to.have.length(300);
        const s = summarize(ctx.emulator.requests());
        console.log(`      300 writes over 3 clients: ${s.creates} creates answered 201, ${s.throttled} answered 429`);
        expect(s.creates).to.equal(300);
        expect(s.other).to.equal(0);
        expect(s.throttled).to.be.at.most(15);
    });
});

describe("graph client budget: how it shrinks under 429s", () => {
    it("shrinks once per window however many 429s come, and never below a quarter of the configured limits", () => {
        let now = 1_000_000;
        const budget = new RequestBudget({ writesPerWindow: 100, requestsPerWindow: 1000, windowMs: 2000 }, () => now);
        for (let i = 0; i < 10; i++) budget.throttled(1000);
        expect(budget.current, "ten 429s of one window are one signal").to.deep.equal({ writes: 80, requests: 800 });
        // A storm of 429s that pacing cannot cause (30 % of every request, a minute long): the budget keeps a quarter.
        for (let t = 0; t < 60_000; t += 100) {
            now += 100;
            budget.throttled(1000);
        }
        expect(budget.current).to.deep.equal({ writes: 25, requests: 250 });
    });
});
