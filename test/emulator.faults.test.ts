import { expect } from "chai";
import { useEmulator } from "./support/emulator";
import { startCliEmulator } from "./support/emulatorProcess";
import { call } from "./support/http";
import { admin, DEVICE_OWNER, deviceOwnerBody, expectDropped, expectGraphError, Graph, LEGACY, legacyBody, MODES, sleep } from "./support/emulatorGraph";

const LATENCY_MS = 300;
const CONSISTENCY_WINDOW_MS = 1000;

/** How long one list call takes, in ms. Only ever compared with a lower bound. */
async function timedList(g: Graph): Promise<{ ms: number; status: number }> {
    const started = Date.now();
    const res = await g.get(g.collection(LEGACY));
    return { ms: Date.now() - started, status: res.status };
}

describe("emulator faults given in the start options", () => {
    describe("latencyMs", () => {
        const ctx = useEmulator({ faults: { latencyMs: LATENCY_MS } });

        it("delays every Graph answer by at least the latency", async () => {
            const { ms, status } = await timedList(new Graph(ctx.emulator));
            expect(status).to.equal(200);
            expect(ms).to.be.at.least(LATENCY_MS - 5);
        });
    });

    describe("latencyMs with jitterMs", () => {
        const ctx = useEmulator({ faults: { latencyMs: 120, jitterMs: 80 } });

        it("draws each request's latency from latency ± jitter, so answers come at different times within that range", async () => {
            const g = new Graph(ctx.emulator);
            const times: number[] = [];
            for (let i = 0; i < 12; i++) times.push((await timedList(g)).ms);
            expect(Math.min(...times), "no answer before latency - jitter").to.be.at.least(120 - 80 - 5);
            // Loopback adds a few ms to each; a loaded machine a few more.
            expect(Math.max(...times), "no answer long after latency + jitter").to.be.below(120 + 80 + 150);
            expect(Math.max(...times) - Math.min(...times), "the answers spread over the jitter").to.be.at.least(30);
        });

        it("delays a sign-in as it delays Graph: the token endpoint is as far away", async () => {
            const started = Date.now();
            const res = await call(ctx.emulator.caPem, "POST", `${ctx.emulator.authorityHost}/${ctx.emulator.tenantId}/oauth2/v2.0/token`, {
                rawBody: new URLSearchParams({
                    grant_type: "client_credentials",
                    client_id: ctx.emulator.defaultApp.clientId,
                    client_secret: ctx.emulator.defaultApp.secret,
                    scope: "https://graph.microsoft.com/.default",
                }).toString(),
                headers: { "Content-Type": "application/x-www-form-urlencoded" },
            });
            expect(res.status).to.equal(200);
            expect(Date.now() - started).to.be.at.least(120 - 80 - 5);
        });
    });

    describe("the CLI's --latency-ms and --jitter-ms", () => {
        it("start an emulator whose answers take that long", async () => {
            const cli = await startCliEmulator(["--latency-ms", "150", "--jitter-ms", "20"]);
            try {
                const g = new Graph(cli.target, cli.info.accessToken);
                expect((await timedList(g)).ms).to.be.at.least(150 - 20 - 5);
            } finally {
                await cli.kill("SIGTERM");
            }
        });

        it("refuse a value that is not a number of milliseconds, naming the flag", async () => {
            const failed = await startCliEmulator(["--jitter-ms", "lots"]).then(
                async (cli) => {
                    await cli.kill("SIGKILL");
                    return "started";
                },
                (err: unknown) => String(err),
            );
            expect(failed).to.include('--jitter-ms must be a number of milliseconds, 0 or more (got "lots")');
        });
    });

    describe("statusRates", () => {
        const ctx = useEmulator({ faults: { statusRates: { "503": 1 } } });

        it("answers 503 ServiceUnavailable with Retry-After when the rate is 1", async () => {
            const res = await new Graph(ctx.emulator).get(`/deviceManagement/${LEGACY}`);
            expectGraphError(res, 503, "ServiceUnavailable");
            expect(res.headers["retry-after"]).to.match(/^\d+$/);
        });
    });

    describe("rules", () => {
        const ctx = useEmulator({ faults: { rules: [{ method: "DELETE", status: 500, times: 2 }] } });

        for (const round of ["first", "second"]) {
            it(`applies a start rule its full \`times\` again after each reset (${round} test)`, async () => {
                const g = new Graph(ctx.emulator);
                const created = await g.create(LEGACY, legacyBody());
                expectGraphError(await g.delete(g.item(LEGACY, created.id)), 500, "InternalServerError");
                expectGraphError(await g.delete(g.item(LEGACY, created.id)), 500, "InternalServerError");
                expect((await g.delete(g.item(LEGACY, created.id))).status).to.equal(204);
            });
        }
    });
});

describe("emulator faults set at runtime", () => {
    const ctx = useEmulator();
    const graph = (): Graph => new Graph(ctx.emulator);

    it("delays answers with latencyMs, and stops when the faults are cleared", async () => {
        ctx.emulator.setFaults({ latencyMs: LATENCY_MS });
        expect((await timedList(graph())).ms).to.be.at.least(LATENCY_MS - 5);
        ctx.emulator.clearFaults();
        expect(ctx.emulator.faults().latencyMs).to.equal(0);
    });

    for (const [status, code] of [
        ["429", "TooManyRequests"],
        ["500", "InternalServerError"],
        ["502", "BadGateway"],
        ["503", "ServiceUnavailable"],
        ["504", "GatewayTimeout"],
    ] as const) {
        it(`answers ${status} ${code} when statusRates gives it rate 1, and writes nothing`, async () => {
            ctx.emulator.setFaults({ statusRates: { [status]: 1 } });
            const g = graph();
            expectGraphError(await g.post(g.collection(LEGACY), legacyBody()), Number(status), code);
            expect(ctx.emulator.profiles(LEGACY)).to.have.length(0);
        });
    }

    it("answers the 429s and 503s of statusRates without Retry-After when statusRetryAfter is false", async () => {
        const g = graph();
        for (const status of ["429", "503"] as const) {
            ctx.emulator.setFaults({ statusRates: { [status]: 1 }, statusRetryAfter: true });
            expect((await g.get(g.collection(LEGACY))).headers["retry-after"], `${status} with Retry-After`).to.match(/^\d+$/);
            ctx.emulator.setFaults({ statusRetryAfter: false });
            const res = await g.get(g.collection(LEGACY));
            expect(res.status).to.equal(Number(status));
            expect(res.headers["retry-after"], `${status} without Retry-After`).to.equal(undefined);
        }
    });

    it("rolls once among statusRates, so their rates add up: 0.5 + 0.5 fails every request with both statuses", async () => {
        ctx.emulator.setFaults({ statusRates: { "429": 0.5, "502": 0.5 } });
        const g = graph();
        const statuses = new Set<number>();
        for (let i = 0; i < 40; i++) statuses.add((await g.get(g.collection(LEGACY))).status);
        expect([...statuses].sort()).to.deep.equal([429, 502]);
    });

    it("applies writes and then drops their connection with dropAfterCommitRate 1; reads are answered", async () => {
        ctx.emulator.setFaults({ dropAfterCommitRate: 1 });
        const g = graph();
        await expectDropped(g.post(g.collection(LEGACY), legacyBody()));
        expect(ctx.emulator.profiles(LEGACY)).to.have.length(1);
        expect((await g.get(g.collection(LEGACY))).status).to.equal(200);
    });

    it("destroys the connection with dropRate 1, before the request takes effect", async () => {
        ctx.emulator.setFaults({ dropRate: 1 });
        const g = graph();
        await expectDropped(g.post(g.collection(LEGACY), legacyBody()));
        expect(ctx.emulator.profiles(LEGACY)).to.have.length(0);
    });

    it("drops a POST after it took effect with an afterCommit rule: the profile exists", async () => {
        ctx.emulator.setFaults({ rules: [{ method: "POST", path: `/${DEVICE_OWNER}$`, afterCommit: true, drop: true, times: 1 }] });
        const g = graph();
        const body = deviceOwnerBody(MODES.dedicated);
        await expectDropped(g.post(g.collection(DEVICE_OWNER), body));
        const stored = ctx.emulator.profiles(DEVICE_OWNER);
        expect(stored.map((p) => p.displayName)).to.deep.equal([body.displayName]);
        const listed = await g.get(g.collection(DEVICE_OWNER, `?$filter=${encodeURIComponent(`displayName eq '${body.displayName}'`)}`));
        expect(listed.json.value).to.have.length(1);
        expect((await g.post(g.collection(DEVICE_OWNER), deviceOwnerBody(MODES.dedicated))).status, "the rule applies once").to.equal(201);
    });

    it("answers a before-commit rule's status only for matching requests, `times` times", async () => {
        ctx.emulator.setFaults({ rules: [{ method: "POST", path: "/createToken$", status: 500, times: 2 }] });
        const g = graph();
        const created = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated));
        const createToken = () => g.post(g.item(DEVICE_OWNER, created.id, "/createToken"), { tokenValidityInSeconds: 3600 });
        expectGraphError(await createToken(), 500, "InternalServerError");
        expectGraphError(await createToken(), 500, "InternalServerError");
        expect((await createToken()).status).to.equal(204);
    });

    it("sends a rule's Retry-After, or none when it is null", async () => {
        ctx.emulator.setFaults({
            rules: [
                { method: "GET", status: 429, retryAfter: 7, times: 1 },
                { method: "GET", status: 503, retryAfter: null, times: 1 },
            ],
        });
        const g = graph();
        const first = await g.get(g.collection(LEGACY));
        expectGraphError(first, 429, "TooManyRequests");
        expect(first.headers["retry-after"]).to.equal("7");
        const second = await g.get(g.collection(LEGACY));
        expectGraphError(second, 503, "ServiceUnavailable");
        expect(second.headers).to.not.have.property("retry-after");
    });

    it("hides a new profile for notFoundAfterCreateMs: GET is 404 at first and 200 later", async () => {
        ctx.emulator.setFaults({ notFoundAfterCreateMs: CONSISTENCY_WINDOW_MS });
        const g = graph();
        const created = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated));
        expectGraphError(await g.get(g.item(DEVICE_OWNER, created.id)), 404, "ResourceNotFound");
        expect((await g.get(g.collection(DEVICE_OWNER))).json.value).to.have.length(0);
        await sleep(CONSISTENCY_WINDOW_MS + 100);
        expect((await g.get(g.item(DEVICE_OWNER, created.id))).status).to.equal(200);
        expect((await g.get(g.collection(DEVICE_OWNER))).json.value).to.have.length(1);
    });

    it("hides a new profile from its writes and actions too when notFoundAfterCreateOnWrites is set, and only then", async () => {
        const g = graph();
        for (const onWrites of [false, true]) {
            ctx.emulator.setFaults({ notFoundAfterCreateMs: CONSISTENCY_WINDOW_MS, notFoundAfterCreateOnWrites: onWrites });
            const created = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated));
            const token = await g.post(`${g.item(DEVICE_OWNER, created.id)}/createToken`, { tokenValidityInSeconds: 86400 });
            const patch = await g.patch(g.item(DEVICE_OWNER, created.id), { displayName: "Renamed" });
            if (onWrites) {
                expectGraphError(token, 404, "ResourceNotFound");
                expectGraphError(patch, 404, "ResourceNotFound");
            } else {
                expect([token.status, patch.status], "writes are served at once").to.deep.equal([204, 204]);
            }
        }
        await sleep(CONSISTENCY_WINDOW_MS + 100);
        const late = ctx.emulator.profiles(DEVICE_OWNER).at(-1)!;
        expect((await g.post(`${g.item(DEVICE_OWNER, late.id as string)}/createToken`, { tokenValidityInSeconds: 86400 })).status).to.equal(204);
    });

    it("serves the old version for staleAfterPatchMs after a PATCH, then the new one", async () => {
        ctx.emulator.setFaults({ staleAfterPatchMs: CONSISTENCY_WINDOW_MS });
        const g = graph();
        const created = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated, { displayName: "Before" }));
        expect((await g.patch(g.item(DEVICE_OWNER, created.id), { displayName: "After" })).status).to.equal(204);
        expect((await g.read(DEVICE_OWNER, created.id)).displayName).to.equal("Before");
        await sleep(CONSISTENCY_WINDOW_MS + 100);
        expect((await g.read(DEVICE_OWNER, created.id)).displayName).to.equal("After");
    });
});

describe("emulator faults over the admin HTTP endpoint", () => {
    const ctx = useEmulator();

    it("sets faults with POST /_emulator/faults, reports them on GET, and clears them with DELETE", async () => {
        const g = new Graph(ctx.emulator);
        const set = await admin(ctx.emulator, "POST", "/faults", { statusRates: { "503": 1 } });
        expect(set.status).to.equal(200);
        expect(set.json.statusRates).to.deep.equal({ "503": 1 });
        expect((await admin(ctx.emulator, "GET", "/faults")).json.statusRates).to.deep.equal({ "503": 1 });
        expectGraphError(await g.get(g.collection(LEGACY)), 503, "ServiceUnavailable");
        expect((await admin(ctx.emulator, "DELETE", "/faults")).status).to.equal(204);
        expect((await g.get(g.collection(LEGACY))).status).to.equal(200);
    });

    it("adds a rule with PATCH /_emulator/faults", async () => {
        const g = new Graph(ctx.emulator);
        await admin(ctx.emulator, "PATCH", "/faults", { rules: [{ method: "DELETE", status: 409, code: "Conflict", message: "busy", times: 1 }] });
        const created = await g.create(LEGACY, legacyBody());
        expectGraphError(await g.delete(g.item(LEGACY, created.id)), 409, "Conflict", "busy");
        expect((await g.delete(g.item(LEGACY, created.id))).status).to.equal(204);
    });

    it("drops connections after PATCH /_emulator/faults with dropRate 1", async () => {
        await admin(ctx.emulator, "PATCH", "/faults", { dropRate: 1 });
        const g = new Graph(ctx.emulator);
        await expectDropped(g.get(g.collection(LEGACY)));
    });
});

describe("emulator: behaviour.builtInProfile", () => {
    const BUILT_IN_ID = "00000000-0000-0000-0000-000000000005";

    describe("with the undocumented mode as a string", () => {
        const ctx = useEmulator({ behaviour: { builtInProfile: true } });

        it("lists the mode-5 profile among device-owner profiles", async () => {
            const g = new Graph(ctx.emulator);
            const listed = (await g.get(g.collection(DEVICE_OWNER))).json.value;
            expect(listed.map((p: { id: string }) => p.id)).to.include(BUILT_IN_ID);
            expect(listed.find((p: { id: string }) => p.id === BUILT_IN_ID).enrollmentMode).to.equal("5");
            expect((await g.get(g.collection(LEGACY))).json.value).to.have.length(0);
        });

        it("refuses to delete, modify or re-token it", async () => {
            const g = new Graph(ctx.emulator);
            expectGraphError(await g.delete(g.item(DEVICE_OWNER, BUILT_IN_ID)), 400, "BadRequest");
            expectGraphError(await g.patch(g.item(DEVICE_OWNER, BUILT_IN_ID), { displayName: "mine" }), 400, "BadRequest");
            expectGraphError(await g.post(g.item(DEVICE_OWNER, BUILT_IN_ID, "/createToken"), {}), 400, "BadRequest");
            expect((await g.read(DEVICE_OWNER, BUILT_IN_ID)).displayName).to.not.equal("mine");
        });
    });

    describe("with builtInModeAs number", () => {
        const ctx = useEmulator({ behaviour: { builtInProfile: true, builtInModeAs: "number" } });

        it("serializes the undocumented mode as the number 5", async () => {
            const g = new Graph(ctx.emulator);
            expect((await g.read(DEVICE_OWNER, BUILT_IN_ID)).enrollmentMode).to.equal(5);
        });
    });
});
