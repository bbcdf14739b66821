import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import * as intune from "pulumi-intune-enrollment";
import { automationEnvVars, ensurePulumi, pulumiEnvironment } from "pulumi-intune-enrollment/dist/scripts/localPulumi";
import { applyToTenants, Tenant, TenantResult } from "pulumi-intune-enrollment/dist/provider/tenants";
import { profileSpecs, REPO_ROOT, WINDOW_MS } from "./common";
import { BENCH_THROTTLE, EmulatorProcess } from "./emulatorProcess";

/**
 * Many tenants in parallel through the real engine: N tenants x M profiles with the many-tenants runner (one stack
 * per tenant, each its own emulator process, own tenant id and own budget), against one tenant's M alone in the same
 * run. Intune's limits are per tenant, so with the machine's cores to spare the N tenants should take about as long
 * as one; what they take beyond it is what the machine (engine processes, provider hosts, emulators) costs.
 */

export interface TenantsBenchResult {
    tenants: number;
    perTenant: number;
    concurrency: number;
    oneTenantMs: number;
    parallelMs: number;
    /** Slowest and fastest tenant of the parallel run, from its own start to its end. */
    slowestTenantMs: number;
    fastestTenantMs: number;
    created: number;
    failures: string[];
}

const ROOT = join(REPO_ROOT, ".pulumi-local", "bench-tenants");

export async function benchTenants(n: number, perTenant: number, onProgress: (line: string) => void): Promise<TenantsBenchResult> {
    const binDir = await ensurePulumi(() => undefined);
    rmSync(ROOT, { recursive: true, force: true });
    const workDir = join(ROOT, "work");
    mkdirSync(workDir, { recursive: true });
    const env = pulumiEnvironment(binDir, join(ROOT, "backend"));
    process.env.PATH = env.PATH;
    const envVars: Record<string, string> = {};
    Object.assign(envVars, automationEnvVars(env));
    const emulators: EmulatorProcess[] = [];
    try {
        for (let i = 0; i < n; i++) emulators.push(await EmulatorProcess.start(BENCH_THROTTLE, `b${i}000000-0000-4000-8000-00000000000${i}`));
        const tenantOf = (i: number, name: string): Tenant => {
            const info = emulators[i].info;
            return {
                name,
                config: {
                    "intune:tenantId": info.tenantId,
                    "intune:clientId": info.clientId,
                    "intune:clientSecret": { value: info.clientSecret, secret: true },
                    "intune:graphEndpoint": info.graphUrl,
                    "intune:authorityHost": info.authorityHost,
                    "intune:caCertificatePath": info.caPath,
                    "intune:throttleWindowSeconds": String(WINDOW_MS / 1000),
                },
            };
        };
        const program = async (): Promise<void> => {
            for (const spec of profileSpecs(perTenant, "bench-tenant")) {
                const name = `p${String(spec.index).padStart(4, "0")}`;
                if (spec.kind === "deviceOwner")
                    new intune.AndroidDeviceOwnerEnrollmentProfile(name, spec.args as unknown as intune.AndroidDeviceOwnerEnrollmentProfileArgs);
                else new intune.AndroidForWorkEnrollmentProfile(name, spec.args as unknown as intune.AndroidForWorkEnrollmentProfileArgs);
            }
        };
        const run = async (tenants: Tenant[]): Promise<{ wallMs: number; results: TenantResult[] }> => {
            const started = performance.now();
            const results = await applyToTenants({
                project: "intune-bench-tenants",
                program,
                tenants,
                concurrency: tenants.length,
                workDir,
                envVars,
                backendUrl: envVars.PULUMI_BACKEND_URL,
            });
            return { wallMs: performance.now() - started, results };
        };

        onProgress(`  one tenant: pulumi up of ${perTenant} profiles`);
        const one = await run([tenantOf(0, "solo")]);
        for (const e of emulators) await e.reset();
        onProgress(`  ${n} tenants x ${perTenant} profiles in parallel`);
        const many = await run(emulators.map((_, i) => tenantOf(i, `t${i + 1}`)));
        const all = [...one.results, ...many.results];
        const walls = many.results.map((r) => r.durationMs);
        return {
            tenants: n,
            perTenant,
            concurrency: n,
            oneTenantMs: one.wallMs,
            parallelMs: many.wallMs,
            slowestTenantMs: Math.max(...walls),
            fastestTenantMs: Math.min(...walls),
            created: many.results.reduce((a, r) => a + r.created, 0),
            failures: all.filter((r) => r.status === "failed").map((r) => `${r.tenant}: ${r.error}`),
        };
    } finally {
        await Promise.all(emulators.map((e) => e.stop().catch(() => undefined)));
        rmSync(ROOT, { recursive: true, force: true });
    }
}
