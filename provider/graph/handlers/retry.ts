import { RequestBudget } from "../budget";
import { GraphRequestError, LOCAL_EMULATOR_CODES, parseGraphError } from "../errors";
import { GraphResponse, Handler, TransportFailure } from "../pipeline";

export interface RetryPolicy {
    /** Stop retrying once this much time has passed since the first send. */
    maxDurationMs: number;
    /** First backoff step when the service gives no Retry-After; doubles per attempt, with full jitter. */
    baseDelayMs: number;
    maxDelayMs: number;
}

export const DEFAULT_RETRY: Omit<RetryPolicy, "maxDurationMs"> = { baseDelayMs: 1000, maxDelayMs: 60_000 };

const RETRYABLE = new Set([429, 500, 502, 503, 504]);
/**
 * 500 and 502 are usually transient (a failed backend, a gateway that lost it), but a 500 can also be a service bug
 * that answers every time: after this many of them a request fails instead of retrying for the whole retry time.
 */
export const MAX_SERVER_ERRORS = 5;
/**
 * Answers after which a create may have taken effect: the gateway or the backend failed, maybe after the write. A 503
 * is among them: Graph's front door answers 503 for a backend that did not answer in time, which may already have
 * stored the profile, and the spec warns that a POST retried on 503 or 504 can make a duplicate. Only a 429 is sure
 * to have changed nothing.
 */
const OUTCOME_UNKNOWN = new Set([500, 502, 503, 504]);

/**
 * Retries throttling (429), server failures (500, 502, 503, 504) and lost connections, honouring Retry-After (seconds or an
 * HTTP date, or Azure's retry-after-ms) and otherwise backing off exponentially with jitter, within a total time
 * rather than a fixed count: Intune throttles for minutes during a large rollout and a run must outlast that.
 * A non-idempotent POST whose outcome is unknown (timeout, reset after sending, 500, 502, 503, 504) is not resent: it fails with
 * `outcomeUnknown` so the caller can first find out whether it took effect.
 */
export function retry(policy: RetryPolicy, budget: RequestBudget, sleep: (ms: number) => Promise<void>, now: () => number = Date.now): Handler {
    return async (req, next) => {
        const deadline = req.retryUntil ?? now() + policy.maxDurationMs;
        let serverErrors = 0;
        for (let attempt = 1; ; attempt++) {
            let res: GraphResponse | undefined;
            let failure: TransportFailure | undefined;
            try {
                res = await next({ ...req, attempt });
            } catch (err) {
                if (!(err instanceof TransportFailure)) throw err;
                failure = err;
            }
            const clientRequestId = req.headers["client-request-id"];
            if (res && !RETRYABLE.has(res.status)) return { ...res, attempts: attempt };
            if (res && (res.status === 500 || res.status === 502)) {
                // The local emulator's own failures (its state file) are not Intune's: retrying them cannot help.
                const code = parseGraphError(res.body).code;
                if ((code !== undefined && LOCAL_EMULATOR_CODES.has(code)) || ++serverErrors >= MAX_SERVER_ERRORS) return { ...res, attempts: attempt };
            }
            const unknownOutcome = req.nonIdempotent && (failure ? failure.sent : OUTCOME_UNKNOWN.has(res!.status));
            if (unknownOutcome) {
                const parsed = res ? parseGraphError(res.body) : {};
                throw new GraphRequestError({
                    operation: req.operation,
                    status: res?.status,
                    code: failure ? "OutcomeUnknown" : (parsed.code ?? `Http${res!.status}`),
                    serviceMessage: failure ? `${failure.reason}; the request may or may not have taken effect` : parsed.message,
                    requestId: res?.headers["request-id"],
                    clientRequestId,
                    attempts: attempt,
                    outcomeUnknown: true,
                    // A 503's Retry-After still holds for the send that may follow the search.
                    retryAfterMs: res ? retryAfterMs(res.headers, now()) : undefined,
                });
            }
            const hinted = res ? retryAfterMs(res.headers, now()) : undefined;
            const backoff = Math.random() * Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
            const delay = hinted ?? backoff;
            // The pause every request shares is the service's hint, or one base step without one: this request's own
            // exponential backoff (it may have been unlucky ten times) must not stall the whole rollout for a minute.
            if (res?.status === 429) budget.throttled(hinted ?? policy.baseDelayMs);
            if (failure?.permanent || now() + delay > deadline) {
                if (res) return { ...res, attempts: attempt };
                throw new GraphRequestError({
                    operation: req.operation,
                    code: failure!.timedOut ? "Timeout" : "NetworkError",
                    serviceMessage: `${failure!.reason}; could not reach Microsoft Graph at ${new URL(req.url).origin}`,
                    clientRequestId,
                    attempts: attempt,
                });
            }
            await sleep(delay);
            req = { ...req, headers: { ...req.headers, "Retry-Attempt": String(attempt) } };
        }
    };
}

/** Retry-After as seconds or an HTTP date, or Azure's millisecond variants; undefined when absent or unreadable. */
export function retryAfterMs(headers: Record<string, string>, now: number): number | undefined {
    for (const name of ["retry-after-ms", "x-ms-retry-after-ms"]) {
        const v = Number(headers[name]);
        if (headers[name] !== undefined && Number.isFinite(v) && v >= 0) return v;
    }
    const raw = headers["retry-after"];
    if (raw === undefined) return undefined;
    if (/^\s*\d+(\.\d+)?\s*$/.test(raw)) return Number(raw) * 1000;
    const at = Date.parse(raw);
    return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
