import { ThrottleSettings } from "./options";

/**
 * Sliding-window request budgets, as Intune applies them: per app and per tenant, for writes and for all requests.
 * A refused request does not spend budget, so a client that waits as told gets through.
 */
class SlidingWindow {
    private stamps: number[] = [];
    private head = 0;

    private prune(now: number, windowMs: number): void {
        while (this.head < this.stamps.length && this.stamps[this.head] <= now - windowMs) this.head++;
        if (this.head > 1024 && this.head * 2 > this.stamps.length) {
            this.stamps = this.stamps.slice(this.head);
            this.head = 0;
        }
    }

    count(now: number, windowMs: number): number {
        this.prune(now, windowMs);
        return this.stamps.length - this.head;
    }

    /** Milliseconds until one more request fits under `limit`. */
    waitFor(now: number, windowMs: number, limit: number): number {
        this.prune(now, windowMs);
        const used = this.stamps.length - this.head;
        if (used < limit) return 0;
        const oldestThatMustLeave = this.stamps[this.head + (used - limit)];
        return Math.max(1, oldestThatMustLeave + windowMs - now);
    }

    add(now: number): void {
        this.stamps.push(now);
    }
}

export interface ThrottleDecision {
    allowed: boolean;
    retryAfterMs: number;
    scope?: string;
}

export class Throttle {
    private windows = new Map<string, SlidingWindow>();

    constructor(public settings: ThrottleSettings) {}

    private window(key: string): SlidingWindow {
        let w = this.windows.get(key);
        if (!w) this.windows.set(key, (w = new SlidingWindow()));
        return w;
    }

    reset(): void {
        this.windows.clear();
    }

    admit(appId: string, isWrite: boolean, now: number): ThrottleDecision {
        const s = this.settings;
        if (!s.enabled) return { allowed: true, retryAfterMs: 0 };
        const checks: [string, number][] = [
            [`app-req:${appId}`, s.appRequests],
            ["tenant-req", s.tenantRequests],
        ];
        if (isWrite) checks.push([`app-write:${appId}`, s.appWrites], ["tenant-write", s.tenantWrites]);
        let worst: ThrottleDecision = { allowed: true, retryAfterMs: 0 };
        for (const [key, limit] of checks) {
            const wait = this.window(key).waitFor(now, s.windowMs, limit);
            if (wait > worst.retryAfterMs) worst = { allowed: false, retryAfterMs: wait, scope: key.split(":")[0] };
        }
        if (worst.allowed) for (const [key] of checks) this.window(key).add(now);
        return worst;
    }
}
