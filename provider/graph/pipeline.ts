import { Operation } from "./errors";

/**
 * A Graph call travels through a chain of small handlers, each owning one concern (request ids, retries, sign-in,
 * the budget, tracing) and ending at the HTTP transport, as the Microsoft Graph SDK composes its middleware.
 */

export interface GraphRequest {
    operation: Operation;
    method: "GET" | "POST" | "PATCH" | "DELETE";
    /** Absolute URL. */
    url: string;
    body?: unknown;
    headers: Record<string, string>;
    /** A POST that creates something: never resent blindly when its outcome is unknown. */
    nonIdempotent: boolean;
    /** 1 for the first send, incremented by the retry handler. */
    attempt: number;
    /**
     * When retrying must stop (epoch ms), for a request that is one of several sends of one call (a create sent again
     * after a search): the call's retry time, not a new one per send. Otherwise the retry time runs from this send.
     */
    retryUntil?: number;
}

export interface GraphResponse {
    status: number;
    headers: Record<string, string>;
    /** Parsed JSON, or undefined for an empty body. */
    body: unknown;
    /** How many sends it took (set by the retry handler). */
    attempts?: number;
}

export type Next = (req: GraphRequest) => Promise<GraphResponse>;
export type Handler = (req: GraphRequest, next: Next) => Promise<GraphResponse>;

export function compose(handlers: Handler[], transport: Next): Next {
    return handlers.reduceRight<Next>((next, handler) => (req) => handler(req, next), transport);
}

/**
 * A failure below HTTP: no status came back. `sent` tells whether the request may have reached the service;
 * `permanent` that sending again cannot help (an untrusted TLS certificate).
 */
export class TransportFailure extends Error {
    constructor(
        readonly reason: string,
        readonly sent: boolean,
        readonly timedOut: boolean,
        readonly permanent = false,
    ) {
        super(reason);
        this.name = "TransportFailure";
    }
}
