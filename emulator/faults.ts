import { FaultRule, FaultSettings } from "./options";

/** Seeded dice, so a run with injected faults can be replayed exactly. */
export function seededRandom(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

export type FaultAction =
    | { kind: "none" }
    | { kind: "drop" }
    | { kind: "status"; status: number; code?: string; message?: string; retryAfter?: number | null }
    | { kind: "delay"; ms: number };

/** Decides, per Graph request, which injected fault applies before and after the request takes effect. */
export class FaultInjector {
    /** `jitter`: the latency's own dice, so that drawing a latency never moves the fault dice a replayed run depends on. */
    constructor(
        public settings: FaultSettings,
        private readonly random: () => number,
        private readonly jitter: () => number = seededRandom(1),
    ) {}

    /** How long the next request waits before it is served: latencyMs ± jitterMs, drawn evenly, never below 0. */
    latency(): number {
        const { latencyMs, jitterMs } = this.settings;
        if (latencyMs <= 0 && jitterMs <= 0) return 0;
        return Math.max(0, latencyMs + (jitterMs > 0 ? (this.jitter() * 2 - 1) * jitterMs : 0));
    }

    private take(method: string, path: string, afterCommit: boolean): FaultRule | undefined {
        const rules = this.settings.rules;
        for (let i = 0; i < rules.length; i++) {
            const r = rules[i];
            if (Boolean(r.afterCommit) !== afterCommit) continue;
            if (r.method && r.method.toUpperCase() !== method) continue;
            if (r.path && !new RegExp(r.path).test(path)) continue;
            if (r.times !== undefined) {
                r.times -= 1;
                if (r.times <= 0) rules.splice(i, 1);
            }
            return r;
        }
        return undefined;
    }

    private act(rule: FaultRule): FaultAction[] {
        const actions: FaultAction[] = [];
        if (rule.delayMs) actions.push({ kind: "delay", ms: rule.delayMs });
        if (rule.drop) actions.push({ kind: "drop" });
        else if (rule.status) actions.push({ kind: "status", status: rule.status, code: rule.code, message: rule.message, retryAfter: rule.retryAfter });
        return actions;
    }

    /** Faults that stop a request before it takes effect. */
    before(method: string, path: string): FaultAction[] {
        const actions: FaultAction[] = [];
        const latency = this.latency();
        if (latency > 0) actions.push({ kind: "delay", ms: latency });
        const rule = this.take(method, path, false);
        if (rule) return actions.concat(this.act(rule));
        if (this.settings.dropRate > 0 && this.random() < this.settings.dropRate) return actions.concat({ kind: "drop" });
        const rates = Object.entries(this.settings.statusRates).filter(([, rate]) => rate && rate > 0);
        if (rates.length > 0) {
            const roll = this.random();
            let upTo = 0;
            for (const [status, rate] of rates) {
                upTo += rate!;
                if (roll < upTo) {
                    const retryAfter = this.settings.statusRetryAfter === false ? null : undefined;
                    return actions.concat({ kind: "status", status: Number(status), retryAfter });
                }
            }
        }
        return actions;
    }

    /** Faults that hit the answer of a request that already took effect. */
    after(method: string, path: string): FaultAction[] {
        const rule = this.take(method, path, true);
        if (rule) return this.act(rule);
        if (method !== "GET" && this.settings.dropAfterCommitRate > 0 && this.random() < this.settings.dropAfterCommitRate) return [{ kind: "drop" }];
        return [];
    }
}
