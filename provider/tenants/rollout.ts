import * as automation from "@pulumi/pulumi/automation";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";

/**
 * One declaration applied to many tenants: one stack per tenant, each with its own `intune:*` configuration, its
 * own state and its own request budget (each stack's run has its own provider host, and Intune's limits are per
 * tenant), run in parallel with a bound on how many at once. A failure in one tenant does not stop the others; the
 * result says, per tenant, what was created, updated, left unchanged or deleted, or the one line that explains why
 * it failed.
 */

/** A value for a stack config key: plain, or secret (stored encrypted in that tenant's stack). */
export type ConfigValue = string | { value: string; secret?: boolean };

export interface Tenant {
    /** Short name: the stack is named after it (`tenant-<name>` unless `stack` says otherwise). */
    name: string;
    stack?: string;
    /** Stack config, `intune:tenantId`, `intune:clientId`, a sign-in, and whatever the declaration reads. */
    config: Record<string, ConfigValue>;
    /** Extra environment for this tenant's CLI runs (e.g. AZURE_* for a sign-in from the environment). */
    env?: Record<string, string>;
    /** Why this tenant cannot run (a secret's environment variable is not set): it fails alone, with this line. */
    unusable?: string;
}

export type TenantOperation = "up" | "preview" | "refresh" | "destroy";

export interface RolloutOptions {
    project: string;
    /** The one declaration every tenant gets (an inline Pulumi program). */
    program: automation.PulumiFn;
    tenants: Tenant[];
    /** How many tenants run at once (at least 1). */
    concurrency: number;
    operation?: TenantOperation;
    /** `pulumi up --refresh` / `preview --refresh`. */
    refresh?: boolean;
    /** The folder the stacks' workspace uses; the package must resolve from it (the project's folder). */
    workDir: string;
    /** Environment for every CLI run: PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE, PATH... */
    envVars?: Record<string, string>;
    /** Backend URL, for a folder without Pulumi.yaml (else the project's own settings and the CLI's login decide). */
    backendUrl?: string;
    /** Progress, one line at a time ("contoso: up started"). */
    onProgress?: (line: string) => void;
    /** Every line the engine prints, per tenant (for a log file). */
    onOutput?: (tenant: string, text: string) => void;
}

export interface TenantResult {
    tenant: string;
    stack: string;
    status: "succeeded" | "failed";
    created: number;
    updated: number;
    unchanged: number;
    deleted: number;
    replaced: number;
    durationMs: number;
    /** For a failure: the line that explains it. */
    error?: string;
}

const stackNameOf = (t: Tenant): string => t.stack ?? `tenant-${t.name}`;

/** Runs `work` over `items`, at most `limit` at once, in order of start; every item gets a result. */
export async function boundedAll<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
    const results: R[] = new Array(items.length);
    let next = 0;
    const lane = async (): Promise<void> => {
        while (next < items.length) {
            const index = next++;
            results[index] = await work(items[index], index);
        }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
    return results;
}

/**
 * The line of an engine failure a person acts on: the resource's diagnostic (the provider's own message), not the
 * engine's "update failed" summary or the command line. Falls back to the first line of the error.
 */
export function failureLine(err: unknown): string {
    const text = err instanceof Error ? err.message : String(err);
    const generic = /^(error: )?(update failed|preview failed|refresh failed|destroy failed|\d+ errors? occurred:?|an unhandled error occurred.*)$/i;
    const diagnostics = text.split(/\r?\n/).map((l) => l.trim());
    const start = diagnostics.findIndex((l) => l === "Diagnostics:");
    for (const raw of start >= 0 ? diagnostics.slice(start + 1) : diagnostics) {
        const line = raw
            .replace(/^error:\s*/, "")
            .replace(/^\*\s*/, "")
            .trim();
        if (!line || generic.test(line) || /^(pulumi:pulumi:Stack|pulumi-nodejs:dynamic\/|[\w-]+:[\w/-]+:\w+) \(/.test(line)) continue;
        if (/^Resources:|^Duration:/.test(line)) break;
        if (raw.startsWith("error:") || raw.startsWith("*")) return line;
    }
    return diagnostics.find((l) => l && !/^(CommandError|code:|stdout:|stderr:)/.test(l)) ?? text.split("\n")[0];
}

type Counts = Pick<TenantResult, "created" | "updated" | "unchanged" | "deleted" | "replaced">;

/**
 * Counts the stack's own resources by the step the engine took for each (its pre-event: one per step, "same"
 * included); the stack itself and providers do not count, and a replacement counts once.
 */
function counter(): { onEvent: (e: automation.EngineEvent) => void; counts: Counts } {
    const counts: Counts = { created: 0, updated: 0, unchanged: 0, deleted: 0, replaced: 0 };
    const onEvent = (e: automation.EngineEvent): void => {
        const meta = e.resourcePreEvent?.metadata;
        if (!meta || meta.type === "pulumi:pulumi:Stack" || meta.type.startsWith("pulumi:providers:")) return;
        if (meta.op === "create") counts.created++;
        else if (meta.op === "update") counts.updated++;
        else if (meta.op === "same") counts.unchanged++;
        else if (meta.op === "delete") counts.deleted++;
        else if (meta.op === "replace") counts.replaced++;
    };
    return { onEvent, counts };
}

async function runTenant(options: RolloutOptions, tenant: Tenant): Promise<TenantResult> {
    const stackName = stackNameOf(tenant);
    const started = performance.now();
    const { onEvent, counts } = counter();
    const say = (line: string): void => options.onProgress?.(`${tenant.name}: ${line}`);
    try {
        if (tenant.unusable) throw new Error(tenant.unusable);
        // A project's own Pulumi.yaml is never rewritten; a bare folder gets one.
        const ownProject = existsSync(join(options.workDir, "Pulumi.yaml"));
        const stack = await automation.LocalWorkspace.createOrSelectStack(
            { stackName, projectName: options.project, program: options.program },
            {
                workDir: options.workDir,
                envVars: { ...options.envVars, ...tenant.env },
                ...(ownProject
                    ? {}
                    : {
                          projectSettings: {
                              name: options.project,
                              runtime: "nodejs",
                              ...(options.backendUrl ? { backend: { url: options.backendUrl } } : {}),
                          },
                      }),
            },
        );
        // The tenant's configuration is set in full on every run: the file is the source of truth.
        await stack.setAllConfig(
            Object.fromEntries(
                Object.entries(tenant.config).map(([k, v]) => [k, typeof v === "string" ? { value: v } : { value: v.value, secret: v.secret ?? false }]),
            ),
        );
        const operation = options.operation ?? "up";
        say(`${operation} started`);
        const onOutput = (text: string): void => options.onOutput?.(tenant.name, text);
        const common = { onOutput, onEvent, color: "never" as const };
        if (operation === "up") await stack.up({ ...common, refresh: options.refresh });
        else if (operation === "preview") await stack.preview({ ...common, refresh: options.refresh });
        else if (operation === "refresh") await stack.refresh(common);
        else await stack.destroy(common);
        const result: TenantResult = { tenant: tenant.name, stack: stackName, status: "succeeded", ...counts, durationMs: performance.now() - started };
        say(`succeeded (${result.created} created, ${result.updated} updated, ${result.unchanged} unchanged, ${result.deleted} deleted)`);
        return result;
    } catch (err) {
        const error = failureLine(err);
        say(`failed: ${error}`);
        return { tenant: tenant.name, stack: stackName, status: "failed", ...counts, durationMs: performance.now() - started, error };
    }
}

/** Applies the declaration to every tenant; resolves once all are done, never rejects for a tenant's failure. */
export async function applyToTenants(options: RolloutOptions): Promise<TenantResult[]> {
    const names = new Set<string>();
    for (const t of options.tenants) {
        if (!/^[A-Za-z0-9_.-]+$/.test(t.name)) throw new Error(`tenant name "${t.name}" may use letters, digits, "-", "_" and "." only (it names the stack)`);
        if (names.has(stackNameOf(t))) throw new Error(`two tenants use the stack ${stackNameOf(t)}: each tenant needs its own stack (its own state)`);
        names.add(stackNameOf(t));
    }
    return boundedAll(options.tenants, options.concurrency, (t) => runTenant(options, t));
}

/** The final table: one row per tenant, then the failures' lines. */
export function resultsTable(results: TenantResult[]): string {
    const header = ["tenant", "stack", "status", "created", "updated", "unchanged", "deleted", "seconds"];
    const rows = results.map((r) => [
        r.tenant,
        r.stack,
        r.status,
        String(r.created),
        String(r.updated),
        String(r.unchanged),
        String(r.deleted + r.replaced),
        (r.durationMs / 1000).toFixed(1),
    ]);
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    const line = (cells: string[]): string =>
        cells
            .map((c, i) => (i >= 3 ? c.padStart(widths[i]) : c.padEnd(widths[i])))
            .join("  ")
            .trimEnd();
    const out = [line(header), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)];
    const failed = results.filter((r) => r.status === "failed");
    if (failed.length > 0) {
        out.push("", ...failed.map((r) => `${r.tenant}: ${r.error}`));
    }
    out.push(
        "",
        `${results.length - failed.length} of ${results.length} tenants succeeded${failed.length ? `; failed: ${failed.map((r) => r.tenant).join(", ")}` : ""}`,
    );
    return out.join("\n");
}
