import { ClientHttp2Session, ClientHttp2Stream, connect as connectHttp2, constants, IncomingHttpHeaders } from "node:http2";
import { isIP } from "node:net";
import { connect as connectTls, SecureContext, TLSSocket } from "node:tls";
import { Slots } from "./slots";

/**
 * Graph over HTTP/2 where the service offers it (Microsoft Graph does): every request of a run shares one TLS
 * connection per origin as a stream of its own. Against 64 HTTP/1.1 connections that is one handshake instead of
 * 64 (each an RSA signature for the service and a certificate check here) and the bearer token sent once, not in
 * every request's headers; a refresh of 1000 profiles took about half the provider's CPU time.
 *
 * The protocol is learnt per origin from the first connection's ALPN and kept for the process: a server or a
 * TLS-inspecting middlebox that speaks only HTTP/1.1 gets HTTP/1.1 (`"http/1.1"`), through the caller's agent.
 */

/** One HTTP exchange, as the transport needs it: status, lower-cased headers, the body as text. */
export interface Exchange {
    status: number;
    headers: Record<string, string>;
    text: string;
}

/** A failure below HTTP, with the code the transport judges it by (the codes node:https gives the same failures). */
export function failure(message: string, code: string): Error {
    return Object.assign(new Error(message), { code });
}

/** A stream the service refused before reading it (GOAWAY, or past its stream limit): it was not processed. */
export const REFUSED_STREAM = "EREFUSEDSTREAM";

/**
 * Windows large enough that a thousand answers in flight never wait for a window update: the defaults (64 KB for the
 * whole connection) held the service back after forty profiles.
 */
const STREAM_WINDOW = 1 << 20;
const CONNECTION_WINDOW = 16 << 20;

/**
 * Requests in flight at once over one connection, or fewer if the service says so in its SETTINGS (a stream past
 * its limit is refused, not queued). 128 kept the emulator busy where 32 left it waiting on round trips.
 */
const MAX_STREAMS = 128;

interface Session {
    http2: ClientHttp2Session;
    /** Streams free on it: the service's limit, at most MAX_STREAMS. */
    streams: Slots;
    active: number;
}

export class Http2Origins {
    /** Origins whose service answered ALPN with HTTP/1.1 (or nothing): never asked again in this process. */
    private readonly http1 = new Set<string>();
    private readonly sessions = new Map<string, Session>();
    private readonly opening = new Map<string, Promise<Session | "http/1.1">>();

    constructor(
        private readonly secureContext: SecureContext | undefined,
        private readonly timeoutMs: number,
    ) {}

    /**
     * Sends one request as a stream of the origin's connection, opening it if none is open; `"http/1.1"` (nothing
     * sent) when the service does not speak HTTP/2.
     */
    async send(origin: string, path: string, method: string, headers: Record<string, string>, payload: string | undefined): Promise<Exchange | "http/1.1"> {
        for (;;) {
            const session = await this.session(origin);
            if (session === "http/1.1") return session;
            await session.streams.take();
            // The connection closed (GOAWAY, a drop) while this request waited for a stream: it goes on the next one.
            if (session.http2.closed || session.http2.destroyed) {
                session.streams.give();
                continue;
            }
            let held = true;
            const giveSlot = (): void => {
                if (held) session.streams.give();
                held = false;
            };
            try {
                return await this.exchange(session, giveSlot, path, method, headers, payload);
            } finally {
                giveSlot();
            }
        }
    }

    private session(origin: string): Promise<Session | "http/1.1"> {
        if (this.http1.has(origin)) return Promise.resolve("http/1.1");
        const live = this.sessions.get(origin);
        if (live && !live.http2.closed && !live.http2.destroyed) return Promise.resolve(live);
        let pending = this.opening.get(origin);
        if (!pending) {
            pending = this.open(origin).finally(() => this.opening.delete(origin));
            this.opening.set(origin, pending);
        }
        return pending;
    }

    /**
     * One stream, on the stream slot the caller took. The slot is given back as soon as the stream closes and the
     * answer handed on a turn of the event loop later: answers come in bursts, and in that turn Node writes the
     * requests that took the freed slots, so the service works on them while this process handles the burst. Handed
     * on at once, both ends kept in step, each idle while the other worked through a hundred; a refresh of 1000 took
     * about 6 % longer.
     */
    private exchange(
        session: Session,
        giveSlot: () => void,
        path: string,
        method: string,
        headers: Record<string, string>,
        payload: string | undefined,
    ): Promise<Exchange> {
        return new Promise<Exchange>((settle, fail) => {
            const resolve = (exchange: Exchange): void => {
                giveSlot();
                setImmediate(settle, exchange);
            };
            const reject = (err: unknown): void => {
                giveSlot();
                setImmediate(fail, err);
            };
            const outgoing: Record<string, string> = { ":method": method, ":path": path };
            for (const [name, value] of Object.entries(headers)) outgoing[name.toLowerCase()] = value;
            if (payload !== undefined) outgoing["content-length"] = String(Buffer.byteLength(payload));
            let stream: ClientHttp2Stream;
            try {
                // A request without a body ends with its HEADERS frame: the service can answer it as soon as it reads
                // them. (Ending it afterwards saves Node a listener per request, ~15 µs of CPU, but the empty DATA frame
                // that ends it then made a refresh of 1000 about 6 % slower.)
                stream = session.http2.request(outgoing, { endStream: payload === undefined });
            } catch (err) {
                const code = (err as { code?: unknown }).code;
                if (code !== "ERR_HTTP2_GOAWAY_SESSION" && code !== "ERR_HTTP2_INVALID_SESSION") return reject(err);
                // The connection began closing after it was handed out: nothing was sent.
                this.forget(session.http2);
                return reject(failure("the connection was closing before the request was sent", REFUSED_STREAM));
            }
            if (session.active++ === 0) session.http2.ref();
            let status = 0;
            let ended = false;
            let timedOut = false;
            const answer: Record<string, string> = {};
            const chunks: Buffer[] = [];
            stream.on("response", (received: IncomingHttpHeaders) => {
                status = Number(received[":status"] ?? 0);
                for (const [name, value] of Object.entries(received)) {
                    if (name.startsWith(":") || value === undefined) continue;
                    answer[name] = Array.isArray(value) ? value.join(", ") : String(value);
                }
            });
            stream.on("data", (chunk: Buffer) => chunks.push(chunk));
            stream.on("end", () => (ended = true));
            stream.on("error", () => undefined); // judged on close, by how the stream ended
            // Judged when the stream is closed, not at its end: a reset after part of the answer ends the stream too,
            // and must fail like a reset connection, never pass as a short body.
            stream.on("close", () => {
                if (--session.active === 0 && !session.http2.destroyed) session.http2.unref();
                const code = stream.rstCode ?? constants.NGHTTP2_NO_ERROR;
                if (timedOut) return reject(failure(`no answer within ${this.timeoutMs} ms`, "ETIMEDOUT"));
                const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
                // A body shorter (or longer) than the service declared was cut short, however the stream ended.
                const whole = answer["content-length"] === undefined || Number(answer["content-length"]) === body.length;
                if (ended && status !== 0 && code === constants.NGHTTP2_NO_ERROR && whole)
                    return resolve({ status, headers: answer, text: body.toString("utf8") });
                if (code === constants.NGHTTP2_REFUSED_STREAM) return reject(failure("the service refused the request before reading it", REFUSED_STREAM));
                reject(failure("the connection closed before the answer was complete", "ECONNRESET"));
            });
            // Like the HTTP/1.1 path: the stream idle this long, while sending or waiting for the answer.
            stream.setTimeout(this.timeoutMs, () => {
                timedOut = true;
                stream.close(constants.NGHTTP2_CANCEL);
            });
            if (payload !== undefined) stream.end(payload);
        });
    }

    private open(origin: string): Promise<Session | "http/1.1"> {
        const url = new URL(origin);
        const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
        return new Promise<Session | "http/1.1">((resolve, reject) => {
            const socket: TLSSocket = connectTls({
                host,
                port: Number(url.port || 443),
                // SNI names a host, never an address; the certificate is still checked against the address.
                ...(isIP(host) ? {} : { servername: host }),
                ALPNProtocols: ["h2", "http/1.1"],
                ...(this.secureContext ? { secureContext: this.secureContext } : {}),
            });
            const fail = (err: Error): void => {
                socket.destroy();
                reject(err);
            };
            socket.setTimeout(this.timeoutMs, () => fail(failure(`no answer within ${this.timeoutMs} ms`, "ETIMEDOUT")));
            socket.once("error", fail);
            socket.once("secureConnect", () => {
                if (socket.alpnProtocol !== "h2") {
                    this.http1.add(origin);
                    socket.setTimeout(0);
                    socket.removeListener("error", fail);
                    socket.destroy();
                    return resolve("http/1.1");
                }
                const http2 = connectHttp2(origin, { createConnection: () => socket, settings: { initialWindowSize: STREAM_WINDOW } });
                http2.on("error", () => undefined); // each stream fails on its own close
                http2.on("close", () => this.forget(http2));
                http2.on("goaway", () => this.forget(http2));
                // The service's SETTINGS come first on the connection: its stream limit is known before any request.
                http2.once("remoteSettings", (settings) => {
                    socket.setTimeout(0);
                    socket.removeListener("error", fail);
                    http2.setLocalWindowSize(CONNECTION_WINDOW);
                    // Idle, the connection must not keep a finished program alive (as an idle keep-alive socket does not).
                    http2.unref();
                    const session: Session = { http2, streams: new Slots(Math.min(MAX_STREAMS, settings.maxConcurrentStreams ?? MAX_STREAMS)), active: 0 };
                    this.sessions.set(origin, session);
                    resolve(session);
                });
            });
        });
    }

    private forget(http2: ClientHttp2Session): void {
        for (const [origin, known] of this.sessions) if (known.http2 === http2) this.sessions.delete(origin);
    }
}
