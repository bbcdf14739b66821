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
        const { result, sends, slept } = await run([answer(429, { "retry-after": "2" }), answer(503, { "retry-after": "1" }), answer(201)]);
        expect(sends).to.equal(3);
        expect(slept).to.deep.equal([2000, 1000]);
        expect(result).to.include({ status: 201, attempts: 3 });
    });

    it("never resends a create whose outcome is unknown: it fails with outcomeUnknown for the caller to look first", async () => {
        for (const step of [new TransportFailure("socket hang up", true, false), answer(504)]) {
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
    /** What the client wrote before it built URLs as text: the parser's own serialisation. */
    const byParser = (root: string, path: string, query: Record<string, string | undefined>): string => {
        const u = new URL(`${root}/beta${path}`);
        for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, v);
        return u.toString();
    };
    const client = (root: string): GraphClient =>
        new GraphClient(
            resolveSettings((key) => (key === "intune:graphEndpoint" ? root : undefined), {
                AZURE_TENANT_ID: "t",
                AZURE_CLIENT_ID: "c",
                AZURE_CLIENT_SECRET: "secret-s",
            }),
        );

    it("writes every path and query exactly as URL and URLSearchParams do", () => {
        const odd = ["", " ", "a b", "O'Brien's (test) ~!*", "é€😀", "x&y=z+%", "a\uD800b", "\u0000\u007f#?/"];
        const paths = [
            "/deviceManagement/androidDeviceOwnerEnrollmentProfiles",
            `/deviceManagement/androidDeviceOwnerEnrollmentProfiles/${encodeURIComponent("6f1c2c1e-0000-4000-8000-000000000001")}/createToken`,
            "/deviceManagement/x/..",
            "/deviceManagement/x/./y",
            "/deviceManagement/x/%2e%2E/y",
            "/deviceManagement/x/.%2E",
            "/deviceManagement/a b/é",
            `/deviceManagement/${encodeURIComponent("..")}`,
        ];
        for (const root of ["https://graph.microsoft.com", "https://GRAPH.example.com:443/prefix", "https://127.0.0.1:8443"]) {
            const c = client(root);
            for (const path of paths)
                for (const value of odd) {
                    const query = { $select: "id,displayName,tokenValue", $filter: `displayName eq '${value}'`, $skip: undefined };
                    expect(c.url(path, query), `${root} ${path} ${JSON.stringify(value)}`).to.equal(byParser(root, path, query));
                    expect(c.url(path)).to.equal(byParser(root, path, {}));
                }
        }
    });
});
