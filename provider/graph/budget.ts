import { RequestKind } from "./errors";
import { Limits } from "../runtime/settings";

/**
 * The process-wide request budget: Intune allows an app N writes and M requests per window, and every resource the
 * engine updates in parallel spends the same allowance. Requests queue here (first come, first served) instead of
 * being sent into a 429. When 429s still come (another app spends the tenant's budget) the budget shrinks and
 * pauses, then grows back while the service stays quiet.
 */
export class RequestBudget {
    /**
     * When requests were answered, oldest first. A request counts from the moment it is let through: while in flight
     * in `inFlight`, then by its completion time. Stamping at completion rather than at release keeps the count
     * conservative: Intune counts a request when it arrives, which can be long after release (TLS handshakes, the
     * agent's socket queue), but never after its answer.
     */
    private readonly sent: Record<RequestKind | "all", number[]> = { read: [], write: [], all: [] };
    private readonly inFlight: Record<RequestKind | "all", number> = { read: 0, write: 0, all: 0 };
    private readonly queues: Record<RequestKind, (() => void)[]> = { read: [], write: [] };
    private writeLimit: number;
    private requestLimit: number;
    private pausedUntil = 0;
    private lastThrottle = 0;
    private lastShrink = -Infinity;
    private readonly floor: { writes: number; requests: number };
    private timer: NodeJS.Timeout | undefined;
    /** Sending at the server's exact edge gets 429s from clock skew and latency; a small margin avoids them. */
    private readonly windowMs: number;

    constructor(
        private readonly limits: Limits,
        private readonly now: () => number = Date.now,
    ) {
        this.writeLimit = limits.writesPerWindow;
        this.requestLimit = limits.requestsPerWindow;
        this.windowMs = Math.ceil(limits.windowMs * 1.02) + 25;
        this.floor = { writes: Math.max(1, Math.floor(limits.writesPerWindow / 4)), requests: Math.max(1, Math.floor(limits.requestsPerWindow / 4)) };
    }

    /** Waits until one more request of `kind` fits; call the returned function once its answer (or failure) is in. */
    acquire(kind: RequestKind): Promise<() => void> {
        return new Promise<void>((resolve) => {
            this.queues[kind].push(resolve);
            this.pump();
        }).then(() => {
            let done = false;
            return () => {
                if (done) return;
                done = true;
                const now = this.now();
                this.inFlight.all -= 1;
                this.sent.all.push(now);
                if (kind === "write") {
                    this.inFlight.write -= 1;
                    this.sent.write.push(now);
                }
                this.pump();
            };
        });
    }

    /** A 429 came back: stop everyone for `retryAfterMs` and shrink the budget. */
    throttled(retryAfterMs: number): void {
        const now = this.now();
        this.pausedUntil = Math.max(this.pausedUntil, now + retryAfterMs);
        // One shrink per window: the 429s answering one window's requests are one signal, not one each. And never
        // below a quarter of the configured limits: an app sending that little is not what makes the service
        // throttle, and shrinking further only stalls a run that the pause and each request's backoff carry through
        // (a fault storm of 30 % 429s otherwise brought a 1000-profile rollout down to one write per window).
        if (now - this.lastShrink >= this.windowMs) {
            this.writeLimit = Math.max(this.floor.writes, Math.floor(this.writeLimit * 0.8));
            this.requestLimit = Math.max(this.floor.requests, Math.floor(this.requestLimit * 0.8));
            this.lastShrink = now;
        }
        this.lastThrottle = now;
        this.schedule(retryAfterMs);
    }

    /** Current limits, for tests and traces. */
    get current(): { writes: number; requests: number } {
        return { writes: this.writeLimit, requests: this.requestLimit };
    }

    private recover(now: number): void {
        if (this.lastThrottle > 0 && now - this.lastThrottle > this.windowMs) {
            this.writeLimit = Math.min(this.limits.writesPerWindow, this.writeLimit + Math.ceil(this.limits.writesPerWindow * 0.1));
            this.requestLimit = Math.min(this.limits.requestsPerWindow, this.requestLimit + Math.ceil(this.limits.requestsPerWindow * 0.1));
            this.lastThrottle = this.writeLimit === this.limits.writesPerWindow && this.requestLimit === this.limits.requestsPerWindow ? 0 : now;
        }
    }

    private prune(stamps: number[], now: number): void {
        let i = 0;
        while (i < stamps.length && stamps[i] <= now - this.windowMs) i++;
        if (i > 0) stamps.splice(0, i);
    }

    /** Milliseconds until one more request of `kind` fits, 0 if it fits now, Infinity until a request in flight ends. */
    private waitFor(kind: RequestKind, now: number): number {
        if (this.pausedUntil > now) return this.pausedUntil - now;
        this.prune(this.sent.all, now);
        this.prune(this.sent.write, now);
        let wait = 0;
        const over = (stamps: number[], inFlight: number, limit: number): number => {
            const mustLeave = stamps.length + inFlight - limit;
            if (mustLeave < 0) return 0;
            return mustLeave < stamps.length ? stamps[mustLeave] + this.windowMs - now : Infinity;
        };
        wait = Math.max(wait, over(this.sent.all, this.inFlight.all, this.requestLimit));
        if (kind === "write") wait = Math.max(wait, over(this.sent.write, this.inFlight.write, this.writeLimit));
        return Math.max(0, wait);
    }

    private pump(): void {
        const now = this.now();
        this.recover(now);
        let soonest = Infinity;
        // Writes first: they are the scarcer budget and what a rollout waits on; reads still go whenever they fit.
        for (const kind of ["write", "read"] as const) {
            const queue = this.queues[kind];
            while (queue.length > 0) {
                const wait = this.waitFor(kind, now);
                if (wait > 0) {
                    soonest = Math.min(soonest, wait);
                    break;
                }
                this.inFlight.all += 1;
                if (kind === "write") this.inFlight.write += 1;
                queue.shift()!();
            }
        }
        // Infinity: everything counted is still in flight, and the next answer pumps again.
        if (soonest !== Infinity) this.schedule(soonest);
    }

    private schedule(ms: number): void {
        if (this.timer) return;
        this.timer = setTimeout(
            () => {
                this.timer = undefined;
                this.pump();
            },
            Math.max(1, ms),
        );
    }
}

const budgets = new Map<string, RequestBudget>();

/** One budget per app and Graph root in this process, whichever resource asks. */
export function sharedBudget(key: string, limits: Limits): RequestBudget {
    const id = `${key}|${limits.writesPerWindow}|${limits.requestsPerWindow}|${limits.windowMs}`;
    let budget = budgets.get(id);
    if (!budget) budgets.set(id, (budget = new RequestBudget(limits)));
    return budget;
}
