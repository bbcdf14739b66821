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
    constructor(
        public settings: FaultSettings,
        private readonly random: () => number,
    ) {}

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
        if (this.settings.latencyMs > 0) actions.push({ kind: "delay", ms: this.settings.latencyMs });
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
