import axios, { AxiosInstance } from "axios";
import { Agent } from "node:https";
import { createSecureContext, rootCertificates } from "node:tls";
import { GraphRequest, GraphResponse, Next, TransportFailure } from "../pipeline";

/**
 * The end of the chain: one HTTP exchange with axios. Statuses are returned, never thrown, and axios errors are
 * turned into a TransportFailure holding only a reason, because an AxiosError carries the request's headers
 * (the bearer token) and body (secrets) and must never escape.
 */
export function httpTransport(opts: { timeoutMs: number; caCertificate?: string }): Next {
    const client: AxiosInstance = axios.create({
        timeout: opts.timeoutMs,
        maxRedirects: 0,
        responseType: "text",
        transformResponse: [(data: unknown) => data],
        validateStatus: () => true,
        httpsAgent: new Agent({
            keepAlive: true,
            maxSockets: 64,
            // One TLS context for every connection: a `ca` option instead would re-parse all the root certificates
            // (~25 ms of blocked event loop) for each of the up to 64 sockets.
            ...(opts.caCertificate ? { secureContext: createSecureContext({ ca: [...rootCertificates, opts.caCertificate] }) } : {}),
        }),
        // Node's own proxy variables are honoured by axios; a TLS-inspecting proxy needs intune:caCertificatePath.
    });
    return async (req: GraphRequest): Promise<GraphResponse> => {
        try {
            const res = await client.request<string>({
                method: req.method,
                url: req.url,
                headers: { Accept: "application/json", ...(req.body !== undefined ? { "Content-Type": "application/json" } : {}), ...req.headers },
                data: req.body === undefined ? undefined : JSON.stringify(req.body),
            });
            const headers: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && v !== null) headers[k.toLowerCase()] = String(v);
            const text = typeof res.data === "string" ? res.data : "";
            let body: unknown;
            if (text.trim() !== "") {
                try {
                    body = JSON.parse(text);
                } catch {
                    body = { error: { code: "NonJsonResponse", message: text.slice(0, 200) } };
                }
            }
            return { status: res.status, headers, body };
        } catch (err) {
            throw toTransportFailure(err);
        }
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
