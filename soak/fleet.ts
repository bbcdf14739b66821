import { providers } from "../provider";
import { resetConfiguration } from "../provider/runtime/configuration";
import { KindName, ProfileSpec, Props } from "../bench/workload";
import type { Entity } from "../emulator";

/**
 * A fleet of declared profiles driven through the provider's exported dynamic-provider singletons, in the order the
 * engine's host calls them (check, then create / diff + update / delete), every resource at once. What the engine's
 * state would hold is kept here: each resource's id and outputs.
 */

export interface DynamicProvider {
    configure(req: { config: { get(key: string): unknown } }): Promise<void>;
    check(olds: Props, news: Props): Promise<{ inputs?: Props; failures?: { property: string; reason: string }[] }>;
    diff(id: string, olds: Props, news: Props): Promise<{ changes?: boolean; replaces?: string[] }>;
    create(inputs: Props): Promise<{ id: string; outs?: Props }>;
    read(id: string, props: Props): Promise<{ id?: string; props?: Props }>;
    update(id: string, olds: Props, news: Props): Promise<{ outs?: Props }>;
    delete(id: string, props: Props): Promise<void>;
}

export const PROVIDERS: Record<KindName, DynamicProvider> = {
    deviceOwner: providers.androidDeviceOwnerEnrollmentProfile as unknown as DynamicProvider,
    forWork: providers.androidForWorkEnrollmentProfile as unknown as DynamicProvider,
};

/** Stands in for the serialized provider text the engine puts into every resource's inputs. */
export const PROVIDER_TEXT = "exports.handler = function () { /* provider under soak */ };";

/** The Graph properties a declaration sets, compared with the tenant (control inputs such as validity are not stored). */
const STORED = ["displayName", "description", "enrollmentMode", "enrollmentTokenType", "wifiSsid", "wifiSecurityType", "roleScopeTagIds"];

/**
 * The provider's time settings scaled with Intune's window, as the benchmark scales the window (20 s to W): the
 * budget's window, and how long a write may take to show (120 s, which also bounds how long a create whose answer
 * was lost is looked for before it is sent again).
 */
export function scaledTimes(windowMs: number): Record<string, string> {
    const scale = windowMs / 20_000;
    return { "intune:throttleWindowSeconds": String(windowMs / 1000), "intune:consistencyTimeoutSeconds": String(Math.max(1, Math.round(120 * scale))) };
}

export async function configureProvider(config: Record<string, string>): Promise<void> {
    resetConfiguration();
    for (const p of Object.values(PROVIDERS)) await p.configure({ config: { get: (k) => config[k] } });
}

export interface Resource {
    spec: ProfileSpec;
    args: Props;
    id?: string;
    outs?: Props;
}

export interface PhaseResult {
    operations: number;
    failed: number;
    /** Distinct messages of the failures, a few. */
    errors: string[];
    wallMs: number;
}

const text = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** Runs `work` on every item at once; counts and keeps (a few distinct) failures, and every message for the secrets sweep. */
export async function allAtOnce<T>(items: T[], work: (item: T) => Promise<void>, messages: string[]): Promise<PhaseResult> {
    const started = Date.now();
    const results = await Promise.allSettled(items.map(work));
    const errors = results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => text(r.reason));
    messages.push(...errors);
    return { operations: items.length, failed: errors.length, errors: [...new Set(errors)].slice(0, 5), wallMs: Date.now() - started };
}

export class Fleet {
    readonly resources: Resource[];
    /** Every error message the provider raised, for the secrets sweep. */
    readonly messages: string[] = [];

    constructor(specs: ProfileSpec[]) {
        this.resources = specs.map((spec) => ({ spec, args: { ...spec.args } }));
    }

    private async checked(r: Resource, olds: Props): Promise<Props> {
        const result = await PROVIDERS[r.spec.kind].check(olds, { ...r.args, __provider: PROVIDER_TEXT });
        if (result.failures && result.failures.length > 0) throw new Error(`check of ${String(r.args.displayName)} failed: ${JSON.stringify(result.failures)}`);
        return result.inputs!;
    }

    /**
     * check, then create. A create that fails after the profile exists rejects with its id and properties (the
     * engine keeps such a resource in the state, and the next run finishes it through update): kept here too.
     */
    private async createOne(r: Resource): Promise<void> {
        const inputs = await this.checked(r, {});
        try {
            const { id, outs } = await PROVIDERS[r.spec.kind].create(inputs);
            if (!id) throw new Error(`create of ${String(r.args.displayName)} returned no id`);
            r.id = id;
            r.outs = { ...outs, __provider: PROVIDER_TEXT };
        } catch (err) {
            const partial = err as { id?: unknown; properties?: Props };
            if (typeof partial.id === "string" && partial.properties) {
                r.id = partial.id;
                r.outs = { ...partial.properties, __provider: PROVIDER_TEXT };
            }
            throw err;
        }
    }

    /** `pulumi up` of resources not created yet. */
    create(only: Resource[] = this.resources.filter((r) => !r.id)): Promise<PhaseResult> {
        return allAtOnce(only, (r) => this.createOne(r), this.messages);
    }

    /** `pulumi up` after the declarations of `changed` changed: check against the state, diff, update (or replace). */
    update(changed: Resource[]): Promise<PhaseResult> {
        return allAtOnce(
            changed,
            async (r) => {
                if (!r.id) return this.createOne(r);
                const provider = PROVIDERS[r.spec.kind];
                const news = await this.checked(r, r.outs!);
                const diff = await provider.diff(r.id!, r.outs!, news);
                if (!diff.changes) throw new Error(`diff of ${String(r.args.displayName)} saw no change`);
                if (diff.replaces && diff.replaces.length > 0) {
                    const { id, outs } = await provider.create(news);
                    await provider.delete(r.id!, r.outs!);
                    r.id = id;
                    r.outs = { ...outs, __provider: PROVIDER_TEXT };
                    return;
                }
                const { outs } = await provider.update(r.id!, r.outs!, news);
                r.outs = { ...outs, __provider: PROVIDER_TEXT };
            },
            this.messages,
        );
    }

    /** `pulumi refresh`: the provider's read of every resource; fails when a read lost a resource. */
    refresh(): Promise<PhaseResult> {
        return allAtOnce(
            this.resources.filter((r) => r.id),
            async (r) => {
                const read = await PROVIDERS[r.spec.kind].read(r.id!, r.outs!);
                if (read.id !== r.id) throw new Error(`read of ${String(r.args.displayName)} returned id "${read.id ?? ""}"`);
                r.outs = { ...read.props, __provider: PROVIDER_TEXT };
            },
            this.messages,
        );
    }

    /** `pulumi destroy`. */
    destroy(): Promise<PhaseResult> {
        return allAtOnce(
            this.resources.filter((r) => r.id),
            async (r) => {
                await PROVIDERS[r.spec.kind].delete(r.id!, r.outs!);
                r.id = undefined;
                r.outs = undefined;
            },
            this.messages,
        );
    }

    /** Every secret the fleet's outputs hold. */
    secrets(): string[] {
        const out: string[] = [];
        for (const r of this.resources) {
            for (const key of ["tokenValue", "qrCodeContent"]) {
                if (typeof r.outs?.[key] === "string") out.push(r.outs[key] as string);
            }
        }
        return out;
    }
}

export interface TenantComparison {
    /** Resources whose profile is missing or differs from the declaration (the first few). */
    mismatched: string[];
    mismatchCount: number;
    /** Profiles sharing a displayName with another. */
    duplicates: number;
    /** Profiles no resource owns. */
    unowned: number;
    equal: boolean;
}

/**
 * The tenant against the declarations: one profile per resource, as declared, and nothing else. With `declared`
 * false (after a destroy) the tenant must hold nothing of the fleet.
 */
export function compareTenant(profiles: Entity[], resources: Resource[], declared = true): TenantComparison {
    const byId = new Map(profiles.map((p) => [String(p.id), p]));
    const owned = new Set<string>();
    const mismatched: string[] = [];
    for (const r of resources) {
        if (!r.id) {
            if (declared) mismatched.push(`${String(r.args.displayName)}: not created`);
            continue;
        }
        owned.add(r.id);
        const p = byId.get(r.id);
        const name = String(r.args.displayName);
        if (!p) {
            mismatched.push(`${name}: no profile ${r.id}`);
            continue;
        }
        for (const key of STORED) {
            if (r.args[key] === undefined) continue;
            if (JSON.stringify(p[key]) !== JSON.stringify(r.args[key]))
                mismatched.push(`${name}: ${key} is ${JSON.stringify(p[key])}, declared ${JSON.stringify(r.args[key])}`);
        }
        if (r.outs && r.outs.tokenValue !== undefined && p.tokenValue !== r.outs.tokenValue)
            mismatched.push(`${name}: the tenant's token is not the one in the state`);
    }
    const names = new Map<string, number>();
    for (const p of profiles) names.set(String(p.displayName), (names.get(String(p.displayName)) ?? 0) + 1);
    const duplicates = [...names.values()].reduce((a, n) => a + (n - 1), 0);
    const unowned = profiles.filter((p) => !owned.has(String(p.id))).length;
    return {
        mismatched: mismatched.slice(0, 10),
        mismatchCount: mismatched.length,
        duplicates,
        unowned,
        equal: mismatched.length === 0 && unowned === 0 && duplicates === 0,
    };
}
