import axios, { AxiosInstance } from "axios";
import { Agent, request as httpsRequest } from "node:https";
import { trustingAlso } from "../trust";
import { GraphRequest, GraphResponse, Next, TransportFailure } from "../pipeline";

/** One HTTP exchange, as the transport needs it: status, lower-cased headers, the body as text. */
interface Exchange {
    status: number;
    headers: Record<string, string>;
    text: string;
}

type Send = (req: GraphRequest, headers: Record<string, string>, payload: string | undefined) => Promise<Exchange>;

export type Environment = Record<string, string | undefined>;

/**
 * The end of the chain: one HTTP exchange. Statuses are returned, never thrown, and failures below HTTP become a
 * TransportFailure holding only a reason: the error objects of both clients below carry the request's headers (the
 * bearer token) and body (secrets) and must never escape.
 *
 * Directly through node:https when no proxy variable is set: axios costs about as much CPU per request again as the
 * exchange itself (its config merge, header normalisation and proxy lookup on every call), which at a thousand
 * requests at once made the provider, not Graph, the slower end. Behind a proxy (HTTPS_PROXY, ALL_PROXY; NO_PROXY
 * honoured) the requests go through axios, which implements the variables and tunnels with CONNECT.
 */
export function httpTransport(opts: { timeoutMs: number; caCertificate?: string }): Next {
    const agent = new Agent({
        keepAlive: true,
        maxSockets: MAX_CONNECTIONS,
        // One TLS context for every connection: a `ca` option instead would re-parse all the root certificates
        // (~18 ms of blocked event loop) for each of the up to 64 sockets.
        ...(opts.caCertificate ? { secureContext: trustingAlso(opts.caCertificate) } : {}),
    });
    // Decided once: axios reads the same variables on every request, a host's environment does not change mid-run.
    const send = proxyVariableSet(process.env) ? viaAxios(agent, opts.timeoutMs) : direct(agent, opts.timeoutMs);
    const connections = new Slots(MAX_CONNECTIONS);
    return async (req: GraphRequest): Promise<GraphResponse> => {
        await connections.take();
        let answer: Exchange;
        try {
            const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
            const headers: Record<string, string> = {
                Accept: "application/json",
                ...(payload !== undefined ? { "Content-Type": "application/json" } : {}),
                ...req.headers,
            };
            answer = await send(req, headers, payload);
        } catch (err) {
            throw toTransportFailure(err);
        } finally {
            connections.give();
        }
        let body: unknown;
        if (answer.text.trim() !== "") {
            try {
                body = JSON.parse(answer.text);
            } catch {
                body = { error: { code: "NonJsonResponse", message: answer.text.slice(0, 200) } };
            }
        }
        return { status: answer.status, headers: answer.headers, body };
    };
}

const MAX_CONNECTIONS = 64;

/**
 * At most `size` exchanges at once, the others waiting their turn in order. The agent would queue them too, but only
 * after each had built its whole HTTP request: a thousand reads at once then spent a few hundred milliseconds of CPU
 * building requests before the first connection's handshake could go on. Waiting here, a request is built when a
 * connection is free for it, while the others' answers are on their way.
 */
export class Slots {
    private free: number;
    private readonly waiting: (() => void)[] = [];

    constructor(size: number) {
        this.free = size;
    }

    take(): Promise<void> {
        if (this.free > 0) {
            this.free--;
            return Promise.resolve();
        }
        return new Promise((resolve) => this.waiting.push(resolve));
    }

    give(): void {
        const next = this.waiting.shift();
        if (next) next();
        else this.free++;
    }
}

/** The variables through which axios (proxy-from-env) would send an https request to a proxy. */
const PROXY_VARIABLES = ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"];

export function proxyVariableSet(env: Environment): boolean {
    return PROXY_VARIABLES.some((name) => (env[name] ?? "") !== "");
}

/** A failure of the direct exchange, with the code a TransportFailure is judged by. */
function failure(message: string, code: string): Error {
    return Object.assign(new Error(message), { code });
}

function direct(agent: Agent, timeoutMs: number): Send {
    return (req, headers, payload) =>
        new Promise<Exchange>((resolve, reject) => {
            const outgoing = httpsRequest(
                req.url,
                { method: req.method, agent, headers: payload !== undefined ? { ...headers, "Content-Length": String(Buffer.byteLength(payload)) } : headers },
                (res) => {
                    const chunks: Buffer[] = [];
                    res.on("data", (chunk: Buffer) => chunks.push(chunk));
                    res.on("end", () => {
                        // An answer cut short by the server ends too: it must fail like a reset, not pass as a short body.
                        if (!res.complete) return reject(failure("the connection closed before the answer was complete", "ECONNRESET"));
                        const out: Record<string, string> = {};
                        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v;
                        resolve({ status: res.statusCode ?? 0, headers: out, text: Buffer.concat(chunks).toString("utf8") });
                    });
                    res.on("error", reject);
                    res.on("close", () => {
                        if (!res.complete) reject(failure("the connection closed before the answer was complete", "ECONNRESET"));
                    });
                },
            );
            // Like axios' timeout: the socket idle this long, while connecting, sending or waiting for the answer.
            outgoing.setTimeout(timeoutMs, () => outgoing.destroy(failure(`no answer within ${timeoutMs} ms`, "ETIMEDOUT")));
            outgoing.on("error", reject);
            outgoing.end(payload);
        });
}

function viaAxios(agent: Agent, timeoutMs: number): Send {
    const client: AxiosInstance = axios.create({
        timeout: timeoutMs,
        maxRedirects: 0,
        responseType: "text",
        transformResponse: [(data: unknown) => data],
        validateStatus: () => true,
        httpsAgent: agent,
    });
    return async (req, headers, payload) => {
        const res = await client.request<string>({ method: req.method, url: req.url, headers, data: payload });
        const out: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && v !== null) out[k.toLowerCase()] = String(v);
        return { status: res.status, headers: out, text: typeof res.data === "string" ? res.data : "" };
    };
}

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

function toTransportFailure(err: unknown): TransportFailure {
    const code = typeof err === "object" && err !== null && "code" in err ? String((err as { code: unknown }).code) : "UNKNOWN";
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
