import axios from "axios";
import { Agent } from "node:https";
import { trustingAlso } from "../trust";
import { GraphRequest, GraphResponse, Next, TransportFailure } from "../pipeline";

/**
 * The end of the chain: one HTTP exchange, through axios over HTTP/1.1 keep-alive connections. axios honours
 * HTTPS_PROXY / ALL_PROXY / NO_PROXY and tunnels to Graph with CONNECT, so a pipeline behind a corporate proxy or a
 * TLS-inspecting middlebox needs nothing more than the variables it already sets.
 *
 * Statuses are returned, never thrown, and failures below HTTP become a TransportFailure holding only a reason:
 * axios' errors carry the request's headers (the bearer token) and body (secrets) and must never escape.
 */
export function httpTransport(opts: { timeoutMs: number; caCertificate?: string }): Next {
    const agent = new Agent({
        keepAlive: true,
        maxSockets: MAX_CONNECTIONS,
        // One TLS context for every connection; a `ca` option would be parsed again for each of them.
        ...(opts.caCertificate ? { secureContext: trustingAlso(opts.caCertificate) } : {}),
    });
    const client = axios.create({
        timeout: opts.timeoutMs,
        maxRedirects: 0,
        responseType: "text",
        transformResponse: [(data: unknown) => data],
        validateStatus: () => true,
        httpsAgent: agent,
        // Without a proxy variable there is nothing for axios to look up on every request (each lookup reads the
        // environment again); with one, axios decides per URL, NO_PROXY included.
        ...(proxyVariableSet() ? {} : { proxy: false as const }),
    });
    const connections = new ConnectionGate(MAX_CONNECTIONS);
    return async (req: GraphRequest): Promise<GraphResponse> => {
        const release = await connections.enter();
        try {
            await connections.turn();
            return await exchange(req);
        } finally {
            release();
        }
    };

    async function exchange(req: GraphRequest): Promise<GraphResponse> {
        let status: number;
        let headers: Record<string, string>;
        let text: string;
        try {
            const res = await client.request<string>({
                method: req.method,
                url: req.url,
                // Graph reads a body only as JSON; axios would label a string body a form.
                headers: { Accept: "application/json", ...(req.body === undefined ? {} : { "Content-Type": "application/json" }), ...req.headers },
                data: req.body === undefined ? undefined : JSON.stringify(req.body),
            });
            status = res.status;
            headers = {};
            for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && v !== null) headers[k.toLowerCase()] = String(v);
            text = typeof res.data === "string" ? res.data : "";
        } catch (err) {
            throw toTransportFailure(err);
        }
        let body: unknown;
        if (text.trim() !== "") {
            try {
                body = JSON.parse(text);
            } catch {
                body = { error: { code: "NonJsonResponse", message: text.slice(0, 200) } };
            }
        }
        return { status, headers, body };
    }
}

/**
 * Hands axios no more requests than there are connections. Given a refresh's thousand reads at once, axios prepares
 * every one of them (config merge, headers, a ClientRequest queued on the agent) before the event loop turns: about
 * 0.35 s of CPU during which not one connection is opened. Let through one per connection, the first requests are
 * on the wire at once and the rest are prepared while earlier answers are awaited; a request's timeout also starts
 * when it can be sent, not while it queues.
 */
class ConnectionGate {
    private open: number;
    private readonly waiting: (() => void)[] = [];
    private sentThisTurn = 0;

    constructor(size: number) {
        this.open = size;
    }

    /**
     * A few requests per turn of the event loop: preparing a request costs axios most of a millisecond, and a
     * connection's TLS handshake only moves on between turns, so 128 prepared in one go would leave every connection
     * waiting about 0.1 s for the last to be ready.
     */
    async turn(): Promise<void> {
        while (this.sentThisTurn >= REQUESTS_PER_TURN) await new Promise<void>((resolve) => setImmediate(resolve));
        if (this.sentThisTurn++ === 0) setImmediate(() => (this.sentThisTurn = 0));
    }

    async enter(): Promise<() => void> {
        if (this.open > 0) this.open -= 1;
        else await new Promise<void>((resolve) => this.waiting.push(resolve));
        let left = false;
        return () => {
            if (left) return;
            left = true;
            const next = this.waiting.shift();
            if (next) next();
            else this.open += 1;
        };
    }
}

const REQUESTS_PER_TURN = 8;

const PROXY_VARIABLES = ["https_proxy", "http_proxy", "all_proxy"];

function proxyVariableSet(): boolean {
    return PROXY_VARIABLES.some((name) => Boolean(process.env[name] || process.env[name.toUpperCase()]));
}

/**
 * Requests in flight at once (more wait for a connection). At Graph's latency, a refresh reads in rounds of this
 * many: at 100 ms a round, 1000 reads over 64 connections took 1.9 s, over 128 as long as over HTTP/2 (1.3 s). The
 * service's throttling, not this, bounds a rollout.
 */
export const MAX_CONNECTIONS = 128;

/** Codes of failures where the request never reached the service: sending it again cannot make a duplicate. */
const NOT_SENT = new Set([
    "ECONNREFUSED",
    "ENOTFOUND",
    "EAI_AGAIN",
    "EHOSTUNREACH",
    "ENETUNREACH",
    "CERT_HAS_EXPIRED",
    "DEPTH_ZERO_SELF_SIGNED_CERT",
    "SELF_SIGNED_CERT_IN_CHAIN",
    "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
    "ERR_TLS_CERT_ALTNAME_INVALID",
]);
const TLS = /CERT|SELF_SIGNED|TLS|UNABLE_TO_VERIFY/;

/**
 * The code a failure is judged by: Node's socket or TLS code, which axios keeps on its error. axios' own
 * ERR_BAD_RESPONSE is an answer that began and then broke off (the connection dropped mid-answer): the request was
 * sent and may have taken effect, as with a reset.
 */
function codeOf(err: unknown): string {
    const code = typeof err === "object" && err !== null ? (err as { code?: unknown }).code : undefined;
    if (code === "ERR_BAD_RESPONSE") return "ECONNRESET";
    return typeof code === "string" ? code : "UNKNOWN";
}

function toTransportFailure(err: unknown): TransportFailure {
    const code = codeOf(err);
    const timedOut = code === "ECONNABORTED" || code === "ETIMEDOUT";
    if (TLS.test(code)) {
        return new TransportFailure(
            `TLS verification failed (${code}): trust the server's CA with intune:caCertificatePath or NODE_EXTRA_CA_CERTS`,
            false,
            false,
            true,
        );
    }
    const reason = timedOut
        ? "the request timed out"
        : code === "ECONNRESET"
          ? "the connection was reset"
          : code === "ECONNREFUSED"
            ? "the connection was refused"
            : `network error (${code})`;
    return new TransportFailure(`${reason} (${code})`, !NOT_SENT.has(code), timedOut);
}
