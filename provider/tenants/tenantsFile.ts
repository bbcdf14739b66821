import { readFileSync } from "node:fs";
import { ConfigValue, Tenant } from "./rollout";

/**
 * The tenants file: which tenants get the declaration, each with its stack config. Secrets are named by the
 * environment variable that holds them (`{"fromEnv": "CONTOSO_CLIENT_SECRET"}`), never written in the file:
 *
 *   {
 *     "concurrency": 4,
 *     "tenants": [
 *       { "name": "contoso",
 *         "config": { "intune:tenantId": "…", "intune:clientId": "…", "intune:clientSecret": { "fromEnv": "CONTOSO_CLIENT_SECRET" } } }
 *     ]
 *   }
 */

export interface TenantsFile {
    concurrency?: number;
    tenants: Tenant[];
}

type FileValue = string | number | boolean | { value: string | number | boolean; secret?: boolean } | { fromEnv: string; secret?: boolean };

function resolveValue(tenant: string, key: string, v: FileValue, env: NodeJS.ProcessEnv): { value?: ConfigValue; problem?: string } {
    if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return { value: String(v) };
    if (v && typeof v === "object" && "fromEnv" in v) {
        const found = env[v.fromEnv];
        if (found === undefined || found === "") return { problem: `${key} is read from the environment variable ${v.fromEnv}, which is not set` };
        // From the environment: secret unless said otherwise (it is there because it should not be in the file).
        return { value: { value: found, secret: v.secret ?? true } };
    }
    if (v && typeof v === "object" && "value" in v) return { value: { value: String(v.value), secret: v.secret ?? false } };
    throw new Error(`tenant "${tenant}": config ${key} must be a string, {"value": ..., "secret": true} or {"fromEnv": "VARIABLE"}`);
}

export function parseTenantsFile(text: string, env: NodeJS.ProcessEnv = process.env): TenantsFile {
    const raw = JSON.parse(text) as { concurrency?: unknown; tenants?: unknown };
    if (!Array.isArray(raw.tenants) || raw.tenants.length === 0) throw new Error('the tenants file needs "tenants": a non-empty list');
    if (raw.concurrency !== undefined && (typeof raw.concurrency !== "number" || !Number.isInteger(raw.concurrency) || raw.concurrency < 1)) {
        throw new Error('"concurrency" must be a whole number of at least 1');
    }
    const tenants = raw.tenants.map((t: { name?: unknown; stack?: unknown; config?: Record<string, FileValue>; env?: Record<string, string> }) => {
        if (typeof t.name !== "string") throw new Error('every tenant needs a "name"');
        const config: Record<string, ConfigValue> = {};
        const problems: string[] = [];
        for (const [key, v] of Object.entries(t.config ?? {})) {
            const resolved = resolveValue(t.name, key, v, env);
            if (resolved.problem) problems.push(resolved.problem);
            else config[key] = resolved.value!;
        }
        if (!("intune:tenantId" in (t.config ?? {})) && !("intune:emulator" in (t.config ?? {}))) {
            problems.push("intune:tenantId is not set: each tenant's stack must name its tenant");
        }
        const tenant: Tenant = { name: t.name, config, ...(typeof t.stack === "string" ? { stack: t.stack } : {}), ...(t.env ? { env: t.env } : {}) };
        if (problems.length > 0) tenant.unusable = problems.join("; ");
        return tenant;
    });
    return { concurrency: raw.concurrency as number | undefined, tenants };
}

export function readTenantsFile(path: string, env: NodeJS.ProcessEnv = process.env): TenantsFile {
    return parseTenantsFile(readFileSync(path, "utf8"), env);
}
