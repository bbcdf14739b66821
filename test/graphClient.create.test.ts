import { expect } from "chai";
import { FaultRule } from "../emulator";
import { GraphClient } from "../provider/graph/client";
import { ConsistencyTimeout, waitUntilVisible } from "../provider/graph/consistency";
import { GraphRequestError } from "../provider/graph/errors";
import { useEmulator } from "./support/emulator";
import { clientFor, Config, DEVICE_OWNER_PATH, emulatorConfig, newApp, op, probeByName, profileBody, READ, rejectionOf } from "./support/graphClient";

const CREATE_PATH = "EnrollmentProfiles$";

describe("graph client create: an unknown outcome never makes a duplicate", function () {
    this.timeout(30_000);
    const ctx = useEmulator();

    function client(extra: Config = {}): GraphClient {
        return clientFor(emulatorConfig(ctx.emulator, newApp(ctx.emulator), { requestTimeoutSeconds: "0.5", ...extra }), { probeSettleMs: 400 });
    }

    async function createWithFault(rule: FaultRule, name: string, c = client()): Promise<{ created: { id?: string }; probes: number }> {
        let probes = 0;
        const probe = probeByName(c, name);
        ctx.emulator.setFaults({ rules: [rule] });
        const created = (await c.create(op(`Creating Android enrollment profile "${name}"`), DEVICE_OWNER_PATH, profileBody(name), async () => {
            probes += 1;
            return probe();
        })) as { id?: string };
        return { created, probes };
    }

    function onlyProfile(name: string): Record<string, unknown> {
        const stored = ctx.emulator.profiles("androidDeviceOwnerEnrollmentProfiles");
        expect(
            stored.map((p) => p.displayName),
            "exactly one profile exists",
        ).to.deep.equal([name]);
        return stored[0];
    }

    /** The statuses of the POSTs the emulator answered (0: dropped), in order. */
    const postStatuses = (): number[] =>
        ctx.emulator
            .requests()
            .filter((r) => r.method === "POST")
            .map((r) => r.status);
    const posts = (): number => postStatuses().length;

    it("a POST that timed out after the service created the profile returns that profile, found by the probe", async () => {
        const { created, probes } = await createWithFault({ method: "POST", path: CREATE_PATH, afterCommit: true, delayMs: 3000, times: 1 }, "Kiosk timeout");
        const stored = onlyProfile("Kiosk timeout");
        expect(created.id).to.equal(stored.id);
        expect(probes).to.be.at.least(1);
        // The emulator logs the delayed POST when its late answer goes out; wait for it, so it lands in this test.
        await waitUntilVisible(
            async () => (posts() > 0 ? true : undefined),
            () => true,
            { timeoutMs: 6000, what: "the delayed POST to finish" },
        );
        expect(postStatuses(), "the POST was sent once").to.deep.equal([201]);
    });

    it("a POST whose connection was reset after the service created the profile returns that profile", async () => {
        const { created } = await createWithFault({ method: "POST", path: CREATE_PATH, afterCommit: true, drop: true, times: 1 }, "Kiosk reset");
        expect(created.id).to.equal(onlyProfile("Kiosk reset").id);
        expect(postStatuses()).to.deep.equal([0]);
    });

    it("a POST answered 504 after the service created the profile returns that profile", async () => {
        const { created } = await createWithFault({ method: "POST", path: CREATE_PATH, afterCommit: true, status: 504, times: 1 }, "Kiosk 504");
        expect(created.id).to.equal(onlyProfile("Kiosk 504").id);
        expect(postStatuses()).to.deep.equal([504]);
    });

    it("a POST that failed before it took effect is found by no probe and sent again, creating exactly one", async () => {
        const { created, probes } = await createWithFault({ method: "POST", path: CREATE_PATH, drop: true, times: 1 }, "Kiosk lost");
        expect(probes).to.be.at.least(1);
        expect(created.id).to.equal(onlyProfile("Kiosk lost").id);
        expect(postStatuses()).to.deep.equal([0, 201]);
    });

    it("a POST that timed out before it took effect is sent again, creating exactly one", async () => {
        const { created } = await createWithFault({ method: "POST", path: CREATE_PATH, delayMs: 1500, status: 503, times: 1 }, "Kiosk slow");
        expect(created.id).to.equal(onlyProfile("Kiosk slow").id);
        await waitUntilVisible(
            async () => (posts() > 1 ? true : undefined),
            () => true,
            { timeoutMs: 6000, what: "the delayed POST to finish" },
        );
        expect(postStatuses().sort()).to.deep.equal([201, 503]);
    });

    it("keeps probing while a profile made by a lost POST is not yet visible", async () => {
        ctx.emulator.setFaults({ notFoundAfterCreateMs: 800 });
        const c = clientFor(emulatorConfig(ctx.emulator, newApp(ctx.emulator), { requestTimeoutSeconds: "0.5", consistencyTimeoutSeconds: "5" }));
        const { created, probes } = await createWithFault({ method: "POST", path: CREATE_PATH, afterCommit: true, drop: true, times: 1 }, "Kiosk hidden", c);
        expect(probes, "the first probes saw nothing").to.be.greaterThan(1);
        expect(created.id).to.equal(onlyProfile("Kiosk hidden").id);
    });

    it("does not send a lost create again when the search for what it made fails, and says so", async () => {
        const c = client();
        ctx.emulator.setFaults({ rules: [{ method: "POST", path: CREATE_PATH, afterCommit: true, drop: true, times: 1 }] });
        let probes = 0;
        const err = await rejectionOf(
            c.create(op('Creating Android enrollment profile "Kiosk blind"'), DEVICE_OWNER_PATH, profileBody("Kiosk blind"), async () => {
                probes += 1;
                // The list behind the search failing, as it would in an outage or without read permission.
                throw new GraphRequestError({ operation: op('Looking for Android enrollment profile "Kiosk blind"'), status: 403, code: "Forbidden" });
            }),
        );
        expect(probes).to.equal(1);
        expect(err.name).to.equal("CreateOutcomeUnknown");
        expect(err.message).to.match(
            /^Creating Android enrollment profile "Kiosk blind" failed: .*it may have created the profile, and looking for it failed \(Looking for Android enrollment profile "Kiosk blind" failed: 403/,
        );
        expect(err.message).to.contain("not sent again").and.contain("orphans");
        expect(postStatuses(), "the POST was sent once").to.deep.equal([0]);
        expect(ctx.emulator.profiles("androidDeviceOwnerEnrollmentProfiles")).to.have.length(1);
    });

    it("resends a create throttled with 429 (nothing was created) without probing", async () => {
        let probes = 0;
        const c = client();
        ctx.emulator.setFaults({ rules: [{ method: "POST", path: CREATE_PATH, status: 429, retryAfter: 0, times: 2 }] });
        const created = (await c.create(op("Creating"), DEVICE_OWNER_PATH, profileBody("Kiosk busy"), async () => {
            probes += 1;
            return undefined;
        })) as { id: string };
        expect(probes).to.equal(0);
        expect(created.id).to.equal(onlyProfile("Kiosk busy").id);
        expect(ctx.emulator.requests().map((r) => r.status)).to.deep.equal([429, 429, 201]);
    });

    it("a POST answered 503 after the service created the profile returns that profile", async () => {
        // Graph's front door answers 503 when the backend is slow to answer, which may be after it stored the profile.
        const { created, probes } = await createWithFault(
            { method: "POST", path: CREATE_PATH, afterCommit: true, status: 503, retryAfter: 0, times: 1 },
            "Kiosk 503",
        );
        expect(probes).to.be.at.least(1);
        expect(created.id).to.equal(onlyProfile("Kiosk 503").id);
        expect(postStatuses()).to.deep.equal([503]);
    });

    it("a POST refused with 503 before it took effect is looked for, then sent again, creating exactly one", async () => {
        const { created, probes } = await createWithFault({ method: "POST", path: CREATE_PATH, status: 503, retryAfter: 0, times: 1 }, "Kiosk unavailable");
        expect(probes).to.be.at.least(1);
        expect(created.id).to.equal(onlyProfile("Kiosk unavailable").id);
        expect(postStatuses()).to.deep.equal([503, 201]);
    });

    it("a create refused with 503 until the retry time is out looks for each send, then fails naming every send", async () => {
        let probes = 0;
        const c = client({ maxRetrySeconds: "1" });
        // Throttled first: those sends count too.
        ctx.emulator.setFaults({
            rules: [
                { method: "POST", path: CREATE_PATH, status: 429, retryAfter: 0, times: 2 },
                { method: "POST", path: CREATE_PATH, status: 503, retryAfter: null },
            ],
        });
        const err = await rejectionOf(
            c.create(op('Creating Android enrollment profile "Kiosk down"'), DEVICE_OWNER_PATH, profileBody("Kiosk down"), async () => {
                probes += 1;
                return undefined;
            }),
        );
        const sends = posts();
        expect(sends).to.be.greaterThan(3);
        expect(probes, "every send answered 503 was looked for").to.be.at.least(sends - 2);
        expect(err.message).to.match(/^Creating Android enrollment profile "Kiosk down" failed: 503 Service Unavailable \(/);
        expect(err.message).to.contain(`gave up after ${sends} attempts`);
        expect(ctx.emulator.profiles("androidDeviceOwnerEnrollmentProfiles")).to.have.length(0);
    });

    it("waits out a 503's Retry-After before sending a create again, once the search found nothing", async () => {
        const { created } = await createWithFault({ method: "POST", path: CREATE_PATH, status: 503, retryAfter: 2, times: 1 }, "Kiosk later");
        expect(created.id).to.equal(onlyProfile("Kiosk later").id);
        const [refused, accepted] = ctx.emulator.requests().filter((r) => r.method === "POST");
        expect([refused.status, accepted.status]).to.deep.equal([503, 201]);
        expect(accepted.at - refused.at, "the second send came after Retry-After").to.be.at.least(1900);
    });

    it("counts every send when a create looked for and sent again is then refused (400)", async () => {
        ctx.emulator.setFaults({
            rules: [
                { method: "POST", path: CREATE_PATH, status: 503, retryAfter: 0, times: 1 },
                { method: "POST", path: CREATE_PATH, status: 400, code: "BadRequest", message: "refused", times: 1 },
            ],
        });
        const err = await rejectionOf(
            client().create(op('Creating Android enrollment profile "Kiosk twice"'), DEVICE_OWNER_PATH, profileBody("Kiosk twice"), async () => undefined),
        );
        expect(postStatuses()).to.deep.equal([503, 400]);
        expect(err.message).to.match(/failed: 400 Bad Request \(refused; gave up after 2 attempts;/);
    });

    it("keeps every send of a create within one retry time, the sends after a search included", async () => {
        const c = clientFor(emulatorConfig(ctx.emulator, newApp(ctx.emulator), { requestTimeoutSeconds: "0.5", maxRetrySeconds: "2" }), {
            probeSettleMs: 1500,
        });
        ctx.emulator.setFaults({
            rules: [
                { method: "POST", path: CREATE_PATH, status: 503, retryAfter: 0, times: 1 },
                { method: "POST", path: CREATE_PATH, status: 429, retryAfter: 1 },
            ],
        });
        const started = Date.now();
        const err = await rejectionOf(c.create(op("Creating"), DEVICE_OWNER_PATH, profileBody("Kiosk throttled"), async () => undefined));
        // The search took 1.5 s of the 2: the send after it had what was left, not 2 s of its own.
        expect(Date.now() - started).to.be.below(2200);
        expect(err.message).to.match(/429 Too Many Requests/);
    });

    it("looks for the last send of a create even when the retry time is out, and returns what it made", async () => {
        const c = client({ maxRetrySeconds: "0.001" });
        const { created, probes } = await createWithFault({ method: "POST", path: CREATE_PATH, afterCommit: true, status: 504, times: 1 }, "Kiosk late", c);
        expect(probes).to.be.at.least(1);
        expect(created.id).to.equal(onlyProfile("Kiosk late").id);
        expect(postStatuses()).to.deep.equal([504]);
    });

    it("does not probe or resend a create the service refused (400)", async () => {
        let probes = 0;
        const err = await rejectionOf(
            client().create(
                op('Creating Android enrollment profile "Bad"'),
                DEVICE_OWNER_PATH,
                profileBody("Bad", { enrollmentMode: "corporateOwnedUnknown" }),
                async () => {
                    probes += 1;
                    return undefined;
                },
            ),
        );
        expect((err as GraphRequestError).status).to.equal(400);
        expect(probes).to.equal(0);
        expect(posts()).to.equal(1);
    });
});

describe("graph client consistency: a 404 right after create is waited out", function () {
    this.timeout(30_000);
    const ctx = useEmulator();

    it("waitUntilVisible returns the profile once the service shows it", async () => {
        ctx.emulator.setFaults({ notFoundAfterCreateMs: 800 });
        const c = clientFor(emulatorConfig(ctx.emulator, newApp(ctx.emulator)));
        const created = (await c.create(op("Creating"), DEVICE_OWNER_PATH, profileBody("Eventually"), probeByName(c, "Eventually"))) as { id: string };
        const path = `${DEVICE_OWNER_PATH}/${created.id}`;
        expect(await c.find(READ, path), "not visible at first").to.equal(undefined);
        const seen = (await waitUntilVisible(
            () => c.find(READ, path),
            () => true,
            { timeoutMs: 5000, what: `profile ${created.id}` },
        )) as { id: string; displayName: string };
        expect(seen.id).to.equal(created.id);
        expect(seen.displayName).to.equal("Eventually");
        const gets = ctx.emulator
            .requests()
            .filter((r) => r.operation === "get")
            .map((r) => r.status);
        expect(gets[0]).to.equal(404);
        expect(gets[gets.length - 1]).to.equal(200);
    });

    it("waitUntilVisible waits for a PATCH to show, not only for the profile to exist", async () => {
        ctx.emulator.setFaults({ staleAfterPatchMs: 600 });
        const c = clientFor(emulatorConfig(ctx.emulator, newApp(ctx.emulator)));
        const created = (await c.create(op("Creating"), DEVICE_OWNER_PATH, profileBody("Stale"), probeByName(c, "Stale"))) as { id: string };
        const path = `${DEVICE_OWNER_PATH}/${created.id}`;
        await c.patch(op("Updating"), path, { description: "new" });
        const seen = await waitUntilVisible(
            () => c.find(READ, path) as Promise<{ description?: string } | undefined>,
            (p) => p.description === "new",
            {
                timeoutMs: 5000,
                what: `profile ${created.id} to show description "new"`,
            },
        );
        expect(seen.description).to.equal("new");
    });

    it("gives a readable ConsistencyTimeout when the timeout is shorter than the window", async () => {
        ctx.emulator.setFaults({ notFoundAfterCreateMs: 5000 });
        const c = clientFor(emulatorConfig(ctx.emulator, newApp(ctx.emulator)));
        const created = (await c.create(op("Creating"), DEVICE_OWNER_PATH, profileBody("Never"), probeByName(c, "Never"))) as { id: string };
        const what = `Android enrollment profile "Never" (${created.id}) to appear`;
        const err = await rejectionOf(
            waitUntilVisible(
                () => c.find(READ, `${DEVICE_OWNER_PATH}/${created.id}`),
                () => true,
                { timeoutMs: 400, what },
            ),
        );
        expect(err).to.be.instanceOf(ConsistencyTimeout);
        expect(err.message).to.equal(
            `Timed out after 0.4 s waiting for ${what}; Intune accepted the change but does not show it yet. Run again, or raise intune:consistencyTimeoutSeconds.`,
        );
    });

    it("states whole seconds for longer timeouts", () => {
        expect(new ConsistencyTimeout("x", 120_000).message).to.match(/^Timed out after 120 s waiting for x;/);
    });
});
