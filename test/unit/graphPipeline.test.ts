import { expect } from "chai";
import { RequestBudget } from "../../provider/graph/budget";
import { GraphClient } from "../../provider/graph/client";
import { GraphRequestError } from "../../provider/graph/errors";
import { retry, retryAfterMs } from "../../provider/graph/handlers/retry";
import { GraphRequest, GraphResponse, TransportFailure } from "../../provider/graph/pipeline";
import { resolveSettings } from "../../provider/runtime/settings";

/** The budget on a fake clock and the retry handler against a scripted transport: no server, no real waiting. */

const LIMITS = { writesPerWindow: 2, requestsPerWindow: 100, windowMs: 1000 };
const request = (method: GraphRequest["method"] = "POST", nonIdempotent = true): GraphRequest => ({
    operation: { description: 'Creating Android enrollment profile "K"', kind: "write" },
    method,
    url: "https://graph.microsoft.com/beta/deviceManagement/androidDeviceOwnerEnrollmentProfiles",
    headers: { "client-request-id": "c1" },
    nonIdempotent,
    attempt: 1,
});
const answer = (status: number, headers: Record<string, string> = {}): GraphResponse => ({
    status,
    headers,
    body: status >= 400 ? { error: { code: `E${status}`, message: "m" } } : {},
});

describe("unit: the request budget on a fake clock", () => {
    it("lets the window's writes through at once and holds the next until one is answered and the window moved", async () => {
        let now = 0;
        const budget = new RequestBudget(LIMITS, () => now);
        const first = await budget.acquire("write");
        const second = await budget.acquire("write");
        let third = false;
        const waiting = budget.acquire("write").then((release) => {
            third = true;
            return release;
        });
        await new Promise((r) => setImmediate(r));
        expect(third, "over the write limit").to.equal(false);
        first();
        second();
        now += 2000; // the window has passed since both were answered (the budget counts from the answer)
        (await waiting)();
        expect(third).to.equal(true);
    });

    it("shrinks after a 429 and says so", () => {
        const budget = new RequestBudget({ ...LIMITS, writesPerWindow: 100 }, () => 5000);
        budget.throttled(10);
        expect(budget.current.writes).to.equal(80);
    });
});

describe("unit: the retry handler against a scripted transport", () => {
    const run = async (script: (GraphResponse | TransportFailure)[], req = request()) => {
        let sends = 0;
        const slept: number[] = [];
        let now = 0;
        const handler = retry(
            { baseDelayMs: 100, maxDelayMs: 1000, maxDurationMs: 60_000 },
            new RequestBudget({ ...LIMITS, writesPerWindow: 100 }, () => now),
            async (ms) => {
                slept.push(ms);
                now += ms;
            },
            () => now,
        );
        const result = await handler(req, async () => {
            const step = script[Math.min(sends++, script.length - 1)];
            if (step instanceof TransportFailure) throw step;
            return step;
        }).catch((err: unknown) => err);
        return { result, sends, slept };
    };

    it("retries 429 and 503 as Retry-After says, and returns the success with its attempt count", async () => {
        const { result, sends, slept } = await run(
            [answer(429, { "retry-after": "2" }), answer(503, { "retry-after": "1" }), answer(201)],
            request("PATCH", false),
        );
        expect(sends).to.equal(3);
        expect(slept).to.deep.equal([2000, 1000]);
        expect(result).to.include({ status: 201, attempts: 3 });
    });

    it("never resends a create whose outcome is unknown: it fails with outcomeUnknown for the caller to look first", async () => {
        for (const step of [new TransportFailure("socket hang up", true, false), answer(500), answer(502), answer(503), answer(504)]) {
            const { result, sends } = await run([step, answer(201)]);
            expect(sends).to.equal(1);
            expect(result).to.be.instanceOf(GraphRequestError);
            expect((result as GraphRequestError).outcomeUnknown).to.equal(true);
        }
    });

    it("resends a read after a dropped connection, and does not retry a 400", async () => {
        expect((await run([new TransportFailure("reset", true, false), answer(200)], request("GET", false))).sends).to.equal(2);
        const bad = await run([answer(400), answer(200)]);
        expect(bad.sends).to.equal(1);
        expect(bad.result).to.include({ status: 400 });
    });

    it("reads Retry-After as seconds, an HTTP date, or retry-after-ms", () => {
        expect(retryAfterMs({ "retry-after": "3" }, 0)).to.equal(3000);
        expect(retryAfterMs({ "retry-after": new Date(10_000).toUTCString() }, 0)).to.equal(10_000);
        expect(retryAfterMs({ "retry-after-ms": "250" }, 0)).to.equal(250);
        expect(retryAfterMs({}, 0)).to.equal(undefined);
    });
});

describe("unit: Graph URLs", () => {
    const client = (root: string): GraphClient =>
        new GraphClient(
            resolveSettings((key) => (key === "intune:graphEndpoint" ? root : undefined), {
                AZURE_TENANT_ID: "t",
                AZURE_CLIENT_ID: "c",
                AZURE_CLIENT_SECRET: "secret-s",
            }),
        );

    it("puts every path under /beta of the configured root, and the query form-encoded", () => {
        const c = client("https://graph.microsoft.us/");
        expect(
            c.url("/deviceManagement/androidDeviceOwnerEnrollmentProfiles", {
                $select: "id,tokenValue",
                $filter: "displayName eq 'O''Brien & Co'",
                $top: undefined,
            }),
        ).to.equal(
            "https://graph.microsoft.us/beta/deviceManagement/androidDeviceOwnerEnrollmentProfiles?%24select=id%2CtokenValue&%24filter=displayName+eq+%27O%27%27Brien+%26+Co%27",
        );
        expect(c.url(`/deviceManagement/x/${encodeURIComponent("../y")}`)).to.equal("https://graph.microsoft.us/beta/deviceManagement/x/..%2Fy");
    });
});

describe("unit: a create whose outcome is unknown, against a scripted service", () => {
    const settings = resolveSettings(() => undefined, { AZURE_TENANT_ID: "t", AZURE_CLIENT_ID: "c", AZURE_CLIENT_SECRET: "secret-s" });
    const credential = { getToken: async () => ({ token: "header.claims.signature", expiresOnTimestamp: Date.now() + 3600_000 }) };
    const CREATE = "https://graph.microsoft.com/beta/deviceManagement/androidDeviceOwnerEnrollmentProfiles";

    /** A client whose service answers POSTs from `posts` in turn; every other request is a mistake of the test. */
    const scripted = (posts: (GraphResponse | TransportFailure)[]) => {
        const sent: string[] = [];
        const client = new GraphClient(
            { ...settings, limits: { writesPerWindow: 1000, requestsPerWindow: 1000, windowMs: 1000 } },
            {
                credential: () => credential,
                sleep: async () => undefined,
                probeSettleMs: 0,
                transport: async (req) => {
                    sent.push(`${req.method} ${req.url}`);
                    const next = posts.shift();
                    if (next === undefined) throw new Error(`unscripted ${req.method} ${req.url}`);
                    if (next instanceof TransportFailure) throw next;
                    return next;
                },
            },
        );
        return { client, sent };
    };

    for (const [lost, how] of [
        [answer(504), "a 504"],
        [answer(502), "a 502"],
        [new TransportFailure("the connection was reset (ECONNRESET)", true, false), "a dropped connection after sending"],
    ] as const) {
        it(`looks for what the create may have made after ${how}, and does not send it again when the probe finds it`, async () => {
            const { client, sent } = scripted([lost]);
            let probes = 0;
            const found = await client.create(op, "/deviceManagement/androidDeviceOwnerEnrollmentProfiles", { displayName: "K" }, async () => {
                probes += 1;
                return { id: "found-by-probe" };
            });
            expect(found).to.deep.equal({ id: "found-by-probe" });
            expect(probes).to.equal(1);
            expect(sent).to.deep.equal([`POST ${CREATE}`]);
        });
    }

    it("sends the create again only after the probe found nothing", async () => {
        const created: GraphResponse = { status: 201, headers: {}, body: { id: "made-by-the-second-post" } };
        const { client, sent } = scripted([answer(504), created]);
        let probes = 0;
        const result = await client.create(op, "/deviceManagement/androidDeviceOwnerEnrollmentProfiles", { displayName: "K" }, async () => {
            probes += 1;
            expect(sent, "the probe runs before the second POST").to.have.length(1);
            return undefined;
        });
        expect(result).to.deep.equal({ id: "made-by-the-second-post" });
        expect(probes).to.be.at.least(1);
        expect(sent).to.deep.equal([`POST ${CREATE}`, `POST ${CREATE}`]);
    });

    it("never probes after an answer that says nothing was created (a 400), and fails with it", async () => {
        const { client, sent } = scripted([answer(400)]);
        let probes = 0;
        const err = await client
            .create(op, "/deviceManagement/androidDeviceOwnerEnrollmentProfiles", { displayName: "K" }, async () => {
                probes += 1;
                return { id: "x" };
            })
            .then(
                () => expect.fail("the create succeeded"),
                (e: unknown) => e,
            );
        expect(err).to.be.instanceOf(GraphRequestError);
        expect((err as GraphRequestError).status).to.equal(400);
        expect(probes).to.equal(0);
        expect(sent).to.have.length(1);
    });
});

const op = { description: 'Creating Android enrollment profile "K"', kind: "write" as const };
