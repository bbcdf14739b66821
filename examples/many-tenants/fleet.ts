import { appendFileSync, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { applyToTenants, readTenantsFile, resultsTable, TenantOperation } from "pulumi-intune-enrollment/dist/provider/tenants";
import { declaration } from "./declaration";

/**
 * The declaration applied to every tenant of a tenants file, one stack per tenant (`tenant-<name>`), a few at a
 * time, with the Pulumi Automation API:
 *
 *   node bin/fleet.js --tenants tenants.json [--concurrency 4] [--preview | --refresh | --destroy] [--json] [--log-dir logs]
 *
 * Each stack has its own intune:* config (from the file), its own state and its own request budget. A tenant that
 * fails does not stop the others; the table at the end says what happened in each, and the exit code is 1 if any
 * failed. `--json` prints the same as JSON for a pipeline; `--log-dir` keeps each tenant's engine output in
 * <dir>/<tenant>.log.
 */
async function main(): Promise<number> {
    const { values } = parseArgs({
        options: {
            tenants: { type: "string", default: "tenants.json" },
            concurrency: { type: "string" },
            preview: { type: "boolean", default: false },
            refresh: { type: "boolean", default: false },
            destroy: { type: "boolean", default: false },
            json: { type: "boolean", default: false },
            "log-dir": { type: "string" },
        },
    });
    const file = readTenantsFile(resolve(values.tenants!));
    const concurrency = values.concurrency ? Number(values.concurrency) : (file.concurrency ?? 4);
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error("--concurrency must be a whole number of at least 1");
    const logDir = values["log-dir"] ? resolve(values["log-dir"]) : undefined;
    if (logDir) mkdirSync(logDir, { recursive: true });
    const operation: TenantOperation = values.destroy ? "destroy" : values.preview ? "preview" : "up";
    const results = await applyToTenants({
        // The project of Pulumi.yaml in this folder: the stacks' config keys are the same as for `pulumi up` here.
        project: "intune-many-tenants",
        program: async () => declaration(),
        tenants: file.tenants,
        concurrency,
        operation,
        refresh: values.refresh,
        // The project folder (this file is compiled to bin/): the stacks' Pulumi.<stack>.yaml files live there.
        workDir: join(__dirname, ".."),
        onProgress: values.json ? undefined : (line) => process.stderr.write(`${line}\n`),
        onOutput: logDir ? (tenant, text) => appendFileSync(join(logDir, `${tenant}.log`), text) : undefined,
    });
    process.stdout.write(values.json ? `${JSON.stringify({ operation, concurrency, results }, null, 2)}\n` : `${resultsTable(results)}\n`);
    return results.some((r) => r.status === "failed") ? 1 : 0;
}

main().then(
    (code) => process.exit(code),
    (err: unknown) => {
        process.stderr.write(`fleet: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(2);
    },
);
