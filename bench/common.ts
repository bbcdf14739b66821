import { Agent, request } from "node:https";
import { createSecureContext, rootCertificates, SecureContext } from "node:tls";
import { join, resolve } from "node:path";
import { availableParallelism } from "node:os";
import { androidDeviceOwnerKind } from "pulumi-intune-enrollment/dist/provider/profiles/kinds/androidDeviceOwner";
import { androidForWorkKind } from "pulumi-intune-enrollment/dist/provider/profiles/kinds/androidForWork";
import { selectFor } from "pulumi-intune-enrollment/dist/provider/profiles/state";
import { MAX_CONNECTIONS } from "pulumi-intune-enrollment/dist/provider/graph/handlers/transport";
import { ENTERPRISE_SETTINGS_PATH } from "pulumi-intune-enrollment/dist/provider/enterprise/settings";

import { KindName, LIMITS, ProfileSpec, Props, windowTerm } from "./workload";

export { KindName, LIMITS, ProfileSpec, profileSpecs, Props, windowTerm } from "./workload";

/**
 * What every part of the benchmark shares: the profile mix, the limits and window, the bound arithmetic, a bare
 * HTTPS client (the "zero-overhead" reference), and small statistics.
 */

/** The repository root: this file runs as dist/bench/common.js. */
export const REPO_ROOT = resolve(__dirname, "..", "..");
export const RESULTS_DIR = join(REPO_ROOT, "bench-results");
export const BENCH_TLS_DIR = join(require("node:os").tmpdir(), "pulumi-intune-bench-tls");

/** A number of milliseconds from `npm run bench -- --<flag> N`, else from the variable, else the default. */
function millisecondsSetting(flag: string, variable: string, fallback: number): number {
    const at = process.argv.indexOf(`--${flag}`);
    const raw = at >= 0 ? process.argv[at + 1] : process.env[variable];
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n) || n < 0) throw new Error(`--${flag} / ${variable} must be a number of milliseconds, 0 or more (got "${raw}")`);
    return n;
}

/**
 * The time every request to the emulator takes (sign-in included), drawn from LATENCY_MS ± JITTER_MS: 100 ± 30 ms
 * by default, what a request to Graph in a European or American region takes from a pipeline agent in the same
 * region, TLS already set up. At 1 ms the benchmark measured the client's CPU, which nobody waits for. Set with
 * `npm run bench -- --latency-ms N --jitter-ms M` (or BENCH_LATENCY_MS / BENCH_JITTER_MS).
 */
export const LATENCY_MS = millisecondsSetting("latency-ms", "BENCH_LATENCY_MS", 100);
export const JITTER_MS = millisecondsSetting("jitter-ms", "BENCH_JITTER_MS", 30);
export const LATENCY = { latencyMs: LATENCY_MS, jitterMs: JITTER_MS };
/** The emulator of the CPU runs: it answers at once, so the client's CPU per request shows on its own. */
export const NO_LATENCY = { latencyMs: 0, jitterMs: 0 };

/**
 * How many resource steps the engine runs at once in the engine part: BENCH_PULUMI_PARALLEL, else what `pulumi up`
 * chooses by itself (PULUMI_PARALLEL, else 4 per CPU: the CLI's `4 * GOMAXPROCS`), so 8 on a 2-core machine. The
 * bench passes it to `pulumi up` explicitly, so the run and the floor it is held against use the same figure.
 */
export function engineParallel(): number {
    return engineParallelSetting()?.steps ?? 4 * availableParallelism();
}

/** The variable that set the engine's parallelism, if one holds a valid figure. */
export function engineParallelSetting(): { name: string; steps: number } | undefined {
    for (const name of ["BENCH_PULUMI_PARALLEL", "PULUMI_PARALLEL"]) {
        const steps = Number(process.env[name]);
        if (Number.isInteger(steps) && steps > 0) return { name, steps };
    }
    return undefined;
}

/** The window, scaled from Intune's 20 s (BENCH_WINDOW_MS, default 2000). */
export const WINDOW_MS = Number(process.env.BENCH_WINDOW_MS ?? 2000);
export const SIZES: number[] = (process.env.BENCH_SIZES ?? "50,200,1000")
    .split(",")
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);
/**
 * Sizes of the `pulumi up` runs through the real engine (BENCH_ENGINE_SIZES, default "200,1000"; the older
 * single-size BENCH_ENGINE_SIZE is still read).
 */
export const ENGINE_SIZES: number[] = (process.env.BENCH_ENGINE_SIZES ?? process.env.BENCH_ENGINE_SIZE ?? "200,1000")
    .split(",")
    .map((s) => Number(s.trim()))
    .filter((n) => n > 0);

/** The parts of `npm run bench`, in the order they run. */
export const BENCH_PARTS = ["provider", "resources", "engine", "plugin", "tenants"] as const;
export type BenchPart = (typeof BENCH_PARTS)[number];

/**
 * Which parts run: BENCH_ONLY, a comma list of parts (e.g. `engine`), default all. BENCH_SKIP_ENGINE=1 leaves out
 * the two parts that run the CLI (engine and tenants), as it always did.
 */
export function partRuns(part: BenchPart): boolean {
    const only = (process.env.BENCH_ONLY ?? "")
        .split(",")
        .map((p) => p.trim())
        .filter(Boolean);
    for (const p of only)
        if (!(BENCH_PARTS as readonly string[]).includes(p)) throw new Error(`BENCH_ONLY: unknown part "${p}" (parts: ${BENCH_PARTS.join(", ")})`);
    if (only.length > 0 && !only.includes(part)) return false;
    if (process.env.BENCH_SKIP_ENGINE === "1" && (part === "engine" || part === "plugin" || part === "tenants")) return false;
    return true;
}
/**
 * Speed targets, at the latency above (issue 24): the provider's rollout and refresh of this many profiles within
 * TARGET_RATIO of their bound. Smaller sizes are reported without a target: there a few round trips of sign-in
 * (MSAL asks for the authority's metadata before the token) are a large share of a short run.
 */
export const TARGET_SIZE = 1000;
export const TARGET_RATIO = 1.15;
export const TARGET_PROVIDER_BYTES = 8 * 1024;
export const TARGET_RSS_MB = 300;

/** Targets for `pulumi up` through the real engine. */
export const ENGINE_TARGETS = {
    /** Default settings: wall / bound at most this, by size (sizes not listed have no target). */
    ratio: { 1000: 4 } as Record<number, number | undefined>,
    /** With PULUMI_SKIP_CHECKPOINTS=true (sizes not listed have no target). */
    skipCheckpointsRatio: {} as Record<number, number | undefined>,
    /** Peak RSS of the `pulumi` CLI process, default settings, at this size. */
    cliPeakMB: 3 * 1024,
    cliPeakAtSize: 1000,
    /** Checkpoint file bytes per profile resource, default configuration. */
    checkpointBytesPerProfile: 5 * 1024,
};
/** The whole `npm run bench`, every part at its default sizes, on 2 cores. */
export const TARGET_BENCH_MINUTES = 25;

/** The Graph work the mix needs, the way issue 7 counts it: one create each, createToken where needed, one read each. */
export interface NeededWork {
    profiles: number;
    creates: number;
    tokenCalls: number;
    writes: number;
    reads: number;
    requests: number;
}

export function neededWork(specs: ProfileSpec[]): NeededWork {
    const tokenCalls = specs.filter((s) => s.needsTokenCall).length;
    const writes = specs.length + tokenCalls;
    return { profiles: specs.length, creates: specs.length, tokenCalls, writes, reads: specs.length, requests: writes + specs.length };
}

export interface Bound {
    /** Sign-in: nothing can be sent before it. */
    signInMs: number;
    /** When the last window opens at the earliest, from the window arithmetic alone: ceil(n / L - 1) * W. */
    throttleMs: number;
    /** What must still happen after the last window opens (see `bound`). */
    tailMs: number;
    /** The same requests from a bare client with throttling off: what the service (and the machine) can do at all. */
    floorMs: number;
    /** max(sign-in + throttle + tail, floor). */
    boundMs: number;
    /** Which term decided. */
    boundBy: "throttle" | "floor";
}

/**
 * The throttle-bound minimum of a run that needs `writes` writes and `requests` requests in all.
 *
 * The windows: the last window of writes opens at (ceil(writes / Lw) - 1) * W at the earliest, that of requests at
 * (ceil(requests / Lr) - 1) * W; the later one binds. It cannot open before sign-in ends, and after it opens its
 * share of the work (the requests it admits, out of all) must still be served and answered: at least one write and
 * one read round trip on an idle service (`rttMs`), and at least that share of the floor, the time the service took
 * to serve everything when nothing throttled it (its throughput). So:
 *
 *   bound = max(signIn + throttle + max(rtt, share × (floor - signIn)), floor)
 */
export function bound(writes: number, requests: number, signInMs: number, rttMs: number, floorMs: number, windowMs = WINDOW_MS): Bound {
    const writeTerm = windowTerm(writes, LIMITS.appWrites, windowMs);
    const requestTerm = windowTerm(requests, LIMITS.appRequests, windowMs);
    const byWrites = writes > 0 && writeTerm >= requestTerm;
    const [n, limit] = byWrites ? [writes, LIMITS.appWrites] : [requests, LIMITS.appRequests];
    const inLastWindow = n > 0 ? n - (Math.ceil(n / limit) - 1) * limit : 0;
    const share = n > 0 ? inLastWindow / n : 0;
    const throttleMs = Math.max(writeTerm, requestTerm);
    const tailMs = Math.max(rttMs, share * Math.max(0, floorMs - signInMs));
    const byThrottle = signInMs + throttleMs + tailMs;
    return {
        signInMs,
        throttleMs,
        tailMs,
        floorMs,
        boundMs: Math.max(byThrottle, floorMs),
        boundBy: throttleMs > 0 && byThrottle >= floorMs ? "throttle" : "floor",
    };
}

// ---------------------------------------------------------------------------------------------------------------
// A bare Graph client: one keep-alive agent with as many connections as the provider's, no retries, no pacing. The
// reference a provider is measured against: at the service's latency its floor is the latency floor at the
// concurrency the provider uses.

export interface RawResponse {
    status: number;
    body: unknown;
}

export class RawGraph {
    private readonly agent: Agent;

    constructor(
        private readonly graphUrl: string,
        caPem: string,
        private readonly token: string,
        maxSockets = MAX_CONNECTIONS,
    ) {
        // One TLS context for all its connections, as the provider has: an agent's `ca` option builds a new one for
        // every connection (about 1.5 ms of OpenSSL each), which made the bare client the slower one on a cold start.
        this.agent = new Agent({ keepAlive: true, maxSockets, secureContext: clientTrust(caPem) });
    }

    request(method: string, path: string, body?: unknown): Promise<RawResponse> {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const url = /^https:/.test(path) ? path : `${this.graphUrl}/beta${path}`;
        return new Promise((resolvePromise, reject) => {
            const req = request(
                url,
                {
                    method,
                    agent: this.agent,
                    headers: {
                        Authorization: `Bearer ${this.token}`,
                        Accept: "application/json",
                        ...(payload !== undefined ? { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(payload) } : {}),
                    },
                },
                (res) => {
                    const chunks: Buffer[] = [];
                    res.on("data", (c: Buffer) => chunks.push(c));
                    res.on("end", () => {
                        const text = Buffer.concat(chunks).toString("utf8");
                        let parsed: unknown;
                        try {
                            parsed = text ? JSON.parse(text) : undefined;
                        } catch {
                            parsed = text;
                        }
                        resolvePromise({ status: res.statusCode ?? 0, body: parsed });
                    });
                    res.on("error", reject);
                },
            );
            req.on("error", reject);
            if (payload !== undefined) req.write(payload);
            req.end();
        });
    }

    close(): void {
        this.agent.destroy();
    }
}

const trust = new Map<string, SecureContext>();

/**
 * What any client must trust: the public roots (to reach Microsoft's sign-in and Graph) and the emulator's CA, built
 * once per process, as the provider builds its own. Trusting the CA alone would spare the bare client the roots'
 * parsing (about 20 ms) that a client of the real service cannot skip.
 */
function clientTrust(caPem: string): SecureContext {
    let context = trust.get(caPem);
    if (!context) trust.set(caPem, (context = createSecureContext({ ca: [...rootCertificates, caPem] })));
    return context;
}

/**
 * Signs in the way a minimal OpenID client of this authority does: it reads the authority's metadata for the token
 * endpoint, then makes one client-credentials POST there. The metadata read is the emulator's: MSAL (under
 * @azure/identity, and so under the provider) ships the endpoints of Microsoft's own sign-in hosts and goes straight
 * to the token POST there, but must ask an authority it does not know, as the emulator is. Both sides making that
 * round trip here compare the same work that, against Microsoft Entra ID, neither makes.
 */
export async function signIn(authorityHost: string, tenantId: string, clientId: string, secret: string, caPem: string): Promise<string> {
    const agent = new Agent({ keepAlive: true, secureContext: clientTrust(caPem) });
    try {
        const metadata = JSON.parse(await httpsText(`${authorityHost}/${tenantId}/v2.0/.well-known/openid-configuration`, agent)) as {
            token_endpoint?: unknown;
        };
        if (typeof metadata.token_endpoint !== "string") throw new Error("no token_endpoint in the authority's OpenID configuration");
        const form = new URLSearchParams({
            grant_type: "client_credentials",
            client_id: clientId,
            client_secret: secret,
            scope: "https://graph.microsoft.com/.default",
        }).toString();
        const text = await httpsText(metadata.token_endpoint, agent, form);
        const token = (JSON.parse(text) as { access_token?: string }).access_token;
        if (!token) throw new Error(`no access_token in ${text.slice(0, 200)}`);
        return token;
    } finally {
        agent.destroy();
    }
}

/** One GET, or a form POST when `form` is given; the answer's text. */
function httpsText(url: string, agent: Agent, form?: string): Promise<string> {
    return new Promise((resolvePromise, reject) => {
        const req = request(
            url,
            {
                method: form === undefined ? "GET" : "POST",
                agent,
                headers: form === undefined ? {} : { "Content-Type": "application/x-www-form-urlencoded", "Content-Length": Buffer.byteLength(form) },
            },
            (res) => {
                let text = "";
                res.on("data", (c: Buffer) => (text += c.toString("utf8")));
                res.on("end", () => resolvePromise(text));
                res.on("error", reject);
            },
        );
        req.on("error", reject);
        req.end(form);
    });
}

export const COLLECTIONS: Record<KindName, string> = {
    deviceOwner: "/deviceManagement/androidDeviceOwnerEnrollmentProfiles",
    forWork: "/deviceManagement/androidForWorkEnrollmentProfiles",
};
const ODATA_TYPES: Record<KindName, string> = {
    deviceOwner: "#microsoft.graph.androidDeviceOwnerEnrollmentProfile",
    forWork: "#microsoft.graph.androidForWorkEnrollmentProfile",
};
/** The provider's own $select for each type, so that the bare client's reads fetch exactly what the provider's do. */
/** What the provider reads of a profile the mix declares (no opt-in image): the bare client reads the same. */
/**
 * A refresh reads the tenant's Android Enterprise settings once besides its profiles (issue 23: whether devices can
 * enroll is checked on refresh too): the refresh's work, for its bound and for the bare client, is n + 1 reads.
 */
export const REFRESH_SETTINGS_READS = 1;
export { ENTERPRISE_SETTINGS_PATH };

export const SELECT: Record<KindName, string> = {
    deviceOwner: selectFor(androidDeviceOwnerKind, {}),
    forWork: selectFor(androidForWorkKind, {}),
};
/** The inputs that steer the provider and never go to Graph. */
const CONTROL = new Set(androidDeviceOwnerKind.controls);
const DAY_MS = 86_400_000;

/** The create body a hand-written script sends for a spec (the first token's expiry in the body where it applies). */
export function createBody(spec: ProfileSpec, now = Date.now()): Props {
    const body: Props = { "@odata.type": ODATA_TYPES[spec.kind] };
    for (const [k, v] of Object.entries(spec.args)) if (!CONTROL.has(k)) body[k] = v;
    if (spec.kind === "deviceOwner" && typeof spec.args.tokenValidityDays === "number") {
        body.tokenExpirationDateTime = new Date(now + spec.args.tokenValidityDays * DAY_MS).toISOString();
    }
    return body;
}

export function tokenBody(spec: ProfileSpec): Props {
    return { tokenValidityInSeconds: Math.round(Number(spec.args.tokenValidityDays ?? 90) * 86_400) };
}

/** The minimal chain for one profile with a bare client: create, createToken where needed, one read with the token. */
export async function rawRollOne(graph: RawGraph, spec: ProfileSpec): Promise<string> {
    const created = await graph.request("POST", COLLECTIONS[spec.kind], createBody(spec));
    if (created.status !== 201) throw new Error(`create answered ${created.status}`);
    const id = String((created.body as Props).id);
    if (spec.needsTokenCall) {
        const token = await graph.request("POST", `${COLLECTIONS[spec.kind]}/${id}/createToken`, tokenBody(spec));
        if (token.status !== 204) throw new Error(`createToken answered ${token.status}`);
    }
    const read = await graph.request("GET", `${COLLECTIONS[spec.kind]}/${id}?$select=${SELECT[spec.kind]}`);
    if (read.status !== 200 || typeof (read.body as Props).tokenValue !== "string") throw new Error(`read answered ${read.status}`);
    return id;
}

/**
 * Every spec's chain (rawRollOne) with at most `concurrency` chains in flight, as the engine runs its steps: the
 * latency floor of a client that works on that many profiles at once.
 */
export async function rawRollout(graph: RawGraph, specs: ProfileSpec[], concurrency: number): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
        while (next < specs.length) await rawRollOne(graph, specs[next++]);
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, specs.length) }, worker));
}

// ---------------------------------------------------------------------------------------------------------------

export function median(xs: number[]): number {
    if (xs.length === 0) return NaN;
    const s = [...xs].sort((a, b) => a - b);
    const m = Math.floor(s.length / 2);
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

export function round(x: number, digits = 2): number {
    const f = 10 ** digits;
    return Math.round(x * f) / f;
}

export function errorText(err: unknown): string {
    return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}

/** Fails with a clear message when `promise` takes longer than `ms`. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} did not finish within ${Math.round(ms / 1000)} s`)), ms);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
