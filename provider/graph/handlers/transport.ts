import axios, { AxiosInstance } from "axios";
import { Agent, request as httpsRequest } from "node:https";
import { trustingAlso } from "../trust";
import { GraphRequest, GraphResponse, Next, TransportFailure } from "../pipeline";
import { Exchange, failure, Http2Origins, REFUSED_STREAM } from "./http2";
import { Slots } from "./slots";

export { Slots } from "./slots";

type Send = (req: GraphRequest, headers: Record<string, string>, payload: string | undefined) => Promise<Exchange>;

export type Environment = Record<string, string | undefined>;

/**
 * The end of the chain: one HTTP exchange. Statuses are returned, never thrown, and failures below HTTP become a
 * TransportFailure holding only a reason: the error objects of both clients below carry the request's headers (the
 * bearer token) and body (secrets) and must never escape.
 *
 * Directly when no proxy variable is set: over HTTP/2 where the service offers it (./http2.ts), else through
 * node:https. axios costs about as much CPU per request again as the exchange itself (its config merge, header
 * normalisation and proxy lookup on every call), which at a thousand requests at once made the provider, not Graph,
 * the slower end. Behind a proxy (HTTPS_PROXY, ALL_PROXY; NO_PROXY honoured) the requests go through axios over
 * HTTP/1.1, which implements the variables and tunnels with CONNECT.
 */
export function httpTransport(opts: { timeoutMs: number; caCertificate?: string; http2?: boolean }): Next {
    // One TLS context for every connection: a `ca` option instead would re-parse all the root certificates
    // (~18 ms of blocked event loop) for each of the up to 64 sockets.
    const secureContext = opts.caCertificate ? trustingAlso(opts.caCertificate) : undefined;
    const agent = new Agent({ keepAlive: true, maxSockets: MAX_CONNECTIONS, ...(secureContext ? { secureContext } : {}) });
    // Decided once: axios reads the same variables on every request, a host's environment does not change mid-run.
    const proxied = proxyVariableSet(process.env);
    const http1 = proxied ? viaAxios(agent, opts.timeoutMs) : direct(agent, opts.timeoutMs);
    const http2 = proxied || opts.http2 === false ? undefined : new Http2Origins(secureContext, opts.timeoutMs);
    const connections = new Slots(MAX_CONNECTIONS);
    const overHttp1 = async (req: GraphRequest, headers: Record<string, string>, payload: string | undefined): Promise<Exchange> => {
        await connections.take();
        try {
            return await http1(req, headers, payload);
        } finally {
            connections.give();
        }
    };
    return async (req: GraphRequest): Promise<GraphResponse> => {
        let answer: Exchange;
        try {
            const payload = req.body === undefined ? undefined : JSON.stringify(req.body);
            const headers: Record<string, string> = {
                Accept: "application/json",
                ...(payload !== undefined ? { "Content-Type": "application/json" } : {}),
                ...req.headers,
            };
            const at = http2 ? splitUrl(req.url) : undefined;
            const overHttp2 = http2 && at ? await http2.send(at.origin, at.path, req.method, headers, payload) : "http/1.1";
            answer = overHttp2 === "http/1.1" ? await overHttp1(req, headers, payload) : overHttp2;
        } catch (err) {
            throw toTransportFailure(err);
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

/** An absolute URL's origin and the rest (path and query), cut as text: the provider builds its URLs itself. */
function splitUrl(url: string): { origin: string; path: string } | undefined {
    const m = /^(https:\/\/[^/?#]+)(.*)$/i.exec(url);
    return m ? { origin: m[1], path: m[2] === "" ? "/" : m[2] } : undefined;
}

/** The variables through which axios (proxy-from-env) would send an https request to a proxy. */
const PROXY_VARIABLES = ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY"];

export function proxyVariableSet(env: Environment): boolean {
    return PROXY_VARIABLES.some((name) => (env[name] ?? "") !== "");
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
    REFUSED_STREAM,
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
