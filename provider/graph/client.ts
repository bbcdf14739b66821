import type { TokenCredential } from "@azure/core-auth";
import { randomUUID } from "node:crypto";
import { sharedBudget } from "./budget";
import { waitUntilVisible, realSleep } from "./consistency";
import { createCredential } from "./credential";
import { CreateOutcomeUnknown, GraphRequestError, Operation, parseGraphError, SignInError, TenantMismatchError } from "./errors";
import { bearerAuth, TokenSource } from "./handlers/auth";
import { budgeted } from "./handlers/budget";
import { retry, DEFAULT_RETRY, RetryPolicy } from "./handlers/retry";
import { telemetry } from "./handlers/telemetry";
import { Logger, trace } from "./handlers/trace";
import { httpTransport } from "./handlers/transport";
import { compose, GraphRequest, GraphResponse, Handler, Next } from "./pipeline";
import { ProviderSettings } from "../runtime/settings";
import { UNCORRECTED_CLOCK_SKEW_MS } from "./clockSkew";
import { isTenantId, tenantOfToken } from "./tenantId";

export interface ClientOptions {
    /** Where debug traces go (default stderr). */
    logger?: Logger;
    sleep?: (ms: number) => Promise<void>;
    retry?: Partial<Omit<RetryPolicy, "maxDurationMs">>;
    credential?: (settings: ProviderSettings) => TokenCredential;
    /** How long a create whose outcome is unknown keeps looking for what it may have made. */
    probeSettleMs?: number;
    /** The end of the chain (default: HTTP through axios): a test's scripted service. */
    transport?: Next;
}

export type Query = Record<string, string | number | undefined>;

/**
 * Every call the provider makes to Microsoft Graph. The chain: telemetry → retry → auth → budget → trace → HTTP.
 * Non-2xx answers become a GraphRequestError; a create whose outcome is unknown is never resent before a probe
 * has looked for what it may have created.
 */
export class GraphClient {
    private readonly send: Next;
    private readonly sleep: (ms: number) => Promise<void>;
    private readonly tokens: TokenSource;

    constructor(
        readonly settings: ProviderSettings,
        private readonly options: ClientOptions = {},
    ) {
        this.sleep = options.sleep ?? realSleep;
        const budget = sharedBudget(`${settings.graphRoot}|${settings.tenantId ?? ""}|${settings.clientId ?? ""}|${settings.auth.method}`, settings.limits);
        const tokens = (this.tokens = new TokenSource(() => (options.credential ?? createCredential)(settings), settings.scope, settings.auth.method));
        const handlers: Handler[] = [
            telemetry,
            retry({ ...DEFAULT_RETRY, ...options.retry, maxDurationMs: settings.maxRetryDurationMs }, budget, this.sleep),
            bearerAuth(tokens),
            budgeted(budget),
        ];
        if (settings.debug) handlers.push(trace(options.logger ?? ((line) => process.stderr.write(`${line}\n`))));
        this.send = compose(handlers, options.transport ?? httpTransport({ timeoutMs: settings.requestTimeoutMs, caCertificate: settings.caCertificate }));
    }

    /**
     * How far the service's clock runs ahead of this machine's, from Graph's Date header. Tokens expire by the
     * service's clock, so renewal decisions use it; differences under a minute are the header's coarseness and
     * network time, not skew, and are ignored.
     */
    serviceClockOffsetMs = 0;

    serviceNow(): number {
        return Date.now() + this.serviceClockOffsetMs;
    }

    private observeClock(dateHeader: string | undefined): void {
        const at = dateHeader === undefined ? NaN : Date.parse(dateHeader);
        if (Number.isNaN(at)) return;
        const offset = at - Date.now();
        this.serviceClockOffsetMs = Math.abs(offset) >= UNCORRECTED_CLOCK_SKEW_MS ? offset : 0;
    }

    /**
     * The tenant this client acts in: the access token's `tid` claim, since the calls go where the token is for, or
     * else the settings' tenant (an opaque token). Some sign-ins ignore the configured tenant (a pre-acquired token,
     * a managed identity); a token for another tenant than the configured one is refused, because profiles recorded
     * in the configured tenant would read as "not found" in the token's. A tenant configured by a domain name cannot
     * be compared with the id: the token's tenant is taken.
     */
    async tenantId(operation: Operation): Promise<string | undefined> {
        const token = await this.tokens.token().catch((err: unknown) => {
            throw err instanceof SignInError ? err.during(operation) : err;
        });
        const fromToken = tenantOfToken(token);
        const configured = this.settings.tenantId;
        if (fromToken && configured && isTenantId(configured) && fromToken.toLowerCase() !== configured.toLowerCase())
            throw new TenantMismatchError(operation, configured, fromToken);
        return fromToken ?? configured;
    }

    /** The absolute URL of a Graph path (under `/beta`) and its query. */
    url(path: string, query: Query = {}): string {
        const u = new URL(`${this.settings.graphRoot}/beta${path}`);
        for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, String(v));
        return u.toString();
    }

    /**
     * Sends one request and returns its 2xx response, or throws the GraphRequestError for it. `retryUntil`: see
     * GraphRequest; by default the retry time runs from this call.
     */
    async request(
        operation: Operation,
        method: GraphRequest["method"],
        url: string,
        body?: unknown,
        nonIdempotent = false,
        retryUntil?: number,
    ): Promise<GraphResponse> {
        // Named here, not only in the telemetry handler, so an error can carry it when the answer does not echo it.
        const clientRequestId = randomUUID();
        const res = await this.send({ operation, method, url, body, headers: { "client-request-id": clientRequestId }, nonIdempotent, attempt: 1, retryUntil });
        this.observeClock(res.headers.date);
        if (res.status >= 200 && res.status < 300) return res;
        const parsed = parseGraphError(res.body);
        throw new GraphRequestError({
            operation,
            status: res.status,
            code: parsed.code ?? `Http${res.status}`,
            serviceMessage: parsed.message,
            requestId: res.headers["request-id"] ?? parsed.requestId,
            clientRequestId: res.headers["client-request-id"] ?? clientRequestId,
            attempts: res.attempts,
        });
    }

    async get(operation: Operation, path: string, query?: Query): Promise<unknown> {
        return (await this.request(operation, "GET", this.url(path, query))).body;
    }

    /** A GET where 404 means "not there" rather than an error. */
    async find(operation: Operation, path: string, query?: Query): Promise<unknown | undefined> {
        try {
            return await this.get(operation, path, query);
        } catch (err) {
            if (err instanceof GraphRequestError && err.isNotFound) return undefined;
            throw err;
        }
    }

    /** Every item of a collection, following @odata.nextLink. */
    async list(operation: Operation, path: string, query?: Query): Promise<unknown[]> {
        const items: unknown[] = [];
        let url: string | undefined = this.url(path, query);
        const read = new Set<string>();
        while (url) {
            if (read.has(url)) {
                throw new GraphRequestError({
                    operation,
                    code: "UnexpectedResponse",
                    serviceMessage: "a list answer's @odata.nextLink leads back to a page already read",
                });
            }
            read.add(url);
            const body = (await this.request(operation, "GET", url)).body as { value?: unknown; "@odata.nextLink"?: unknown } | undefined;
            if (!body || !Array.isArray(body.value)) {
                throw new GraphRequestError({ operation, code: "UnexpectedResponse", serviceMessage: "a list answer had no `value` array" });
            }
            items.push(...body.value);
            const next = body["@odata.nextLink"];
            url = next === undefined || next === null ? undefined : this.nextPage(operation, next, url);
        }
        return items;
    }

    /**
     * The next page at this client's own Graph root. Graph writes the root it knows into nextLink; reached through a
     * gateway or proxy (intune:graphEndpoint) that is another origin, where the token must never go, so the link's
     * version path and query (the skip token) are taken onto the configured root. A link that cannot be placed fails
     * the list: ending it early would read as profiles that are not there.
     */
    private nextPage(operation: Operation, next: unknown, current: string): string {
        const link = typeof next === "string" && URL.canParse(next, current) ? new URL(next, current) : undefined;
        const root = new URL(`${this.settings.graphRoot}/beta/`);
        if (link && link.href.startsWith(root.href)) return link.href;
        const at = link ? link.pathname.indexOf("/beta/") : -1;
        if (!link || at < 0) {
            throw new GraphRequestError({ operation, code: "UnexpectedResponse", serviceMessage: "a list answer's @odata.nextLink is not a Graph beta link" });
        }
        return new URL(`${root.href}${link.pathname.slice(at + "/beta/".length)}${link.search}`).href;
    }

    /**
     * POST that creates something. If its outcome is unknown (a timeout, a dropped connection, a 5xx), `probe` looks
     * for what it may have created (polling for a while, as a new profile may not be visible at once) and only if
     * nothing is found is the POST sent again.
     */
    async create(operation: Operation, path: string, body: unknown, probe: () => Promise<unknown | undefined>): Promise<unknown> {
        // Every send of this create shares one retry time, and the count of all of them is what a failure reports.
        const retryUntil = Date.now() + this.settings.maxRetryDurationMs;
        let sent = 0;
        for (;;) {
            try {
                return (await this.request(operation, "POST", this.url(path), body, true, retryUntil)).body;
            } catch (err) {
                if (!(err instanceof GraphRequestError)) throw err;
                if (!err.outcomeUnknown) throw sent > 0 ? err.afterSends(sent + err.attempts) : err;
                sent += err.attempts;
                const answeredAt = Date.now();
                const settleMs = this.options.probeSettleMs ?? Math.min(this.settings.consistencyTimeoutMs, 30_000);
                // Only a search that ran and found nothing lets the POST go again; one that failed proves nothing.
                let searchFailed: { cause: unknown } | undefined;
                const search = (): Promise<unknown | undefined> =>
                    probe().catch((cause: unknown) => {
                        searchFailed = { cause };
                        throw cause;
                    });
                const found = await waitUntilVisible(search, () => true, { timeoutMs: settleMs, what: "", sleep: this.sleep }).catch(() => undefined);
                if (searchFailed) throw new CreateOutcomeUnknown(err.afterSends(sent), searchFailed.cause);
                if (found !== undefined) return found;
                // Out of retry time, the last send is still looked for above: a profile it made is returned, not orphaned.
                if (Date.now() > retryUntil) throw err.afterSends(sent);
                // What the service asked to wait (a 503's Retry-After) and the search did not already take.
                const wait = (err.retryAfterMs ?? 0) - (Date.now() - answeredAt);
                if (wait > 0 && Date.now() + wait > retryUntil) throw err.afterSends(sent);
                if (wait > 0) await this.sleep(wait);
            }
        }
    }

    /** PATCH; returns the entity when the service answers 200 with one, undefined for 204. */
    async patch(operation: Operation, path: string, body: unknown): Promise<unknown | undefined> {
        const res = await this.request(operation, "PATCH", this.url(path), body);
        return res.status === 200 ? res.body : undefined;
    }

    /** DELETE; a 404 means it is already gone, which is what was asked. */
    async delete(operation: Operation, path: string): Promise<"deleted" | "absent"> {
        try {
            await this.request(operation, "DELETE", this.url(path));
            return "deleted";
        } catch (err) {
            if (err instanceof GraphRequestError && err.isNotFound) return "absent";
            throw err;
        }
    }

    /** POST to an action (createToken, revokeToken): 204 with no body. */
    async action(operation: Operation, path: string, body?: unknown): Promise<void> {
        await this.request(operation, "POST", this.url(path), body ?? {});
    }
}

const clients = new Map<string, GraphClient>();

/**
 * One client per configuration in this process, so every resource shares its token cache and budget. Keyed on every
 * setting (timeouts, retry limit, CA and the rest): a change of any of them must not reuse a client built without it.
 */
export function sharedClient(settings: ProviderSettings, options?: ClientOptions): GraphClient {
    const key = JSON.stringify(settings);
    let client = clients.get(key);
    if (!client) clients.set(key, (client = new GraphClient(settings, options)));
    return client;
}
