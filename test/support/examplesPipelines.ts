import { execFile } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "./examples";

/**
 * Helpers for the pipeline templates under pipelines/: a YAML loader, and a stand-in Azure CLI so that
 * pipelines/setup/create-app-registration.sh can be run for real without a tenant.
 */

// js-yaml comes with @pulumi/pulumi (and mocha); it has no declarations of its own here.
const jsYaml = require("js-yaml") as { load(text: string): unknown };

export const PIPELINES_DIR = join(REPO_ROOT, "pipelines");
export const SETUP_SCRIPT = join(PIPELINES_DIR, "setup", "create-app-registration.sh");
const BASH = ["/bin/bash", "/usr/bin/bash"].find((p) => existsSync(p)) ?? "bash";

export function loadYaml<T = Record<string, unknown>>(path: string): T {
    return jsYaml.load(readFileSync(path, "utf8")) as T;
}

export const TENANT_ID = "8c1c6f5e-0d2c-4b9e-9f3a-2b7e1c3a9d10";
export const APP_ID = "0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b";
export const APP_OBJECT_ID = "aaaaaaaa-0000-4000-8000-000000000001";
export const SP_ID = "bbbbbbbb-0000-4000-8000-000000000002";
export const GRAPH_SP_ID = "cccccccc-0000-4000-8000-000000000003";
export const APP_ROLE_ID = "9241abd9-d0e6-425a-bd4f-47ba86e767a4";

export interface FakeTenant {
    /** The app registration, its service principal, the permission and the consent already exist. */
    appExists: boolean;
    spExists: boolean;
    permissionDeclared: boolean;
    consentGranted: boolean;
    /** Federated credentials present: name -> [issuer, subject]. */
    federatedCredentials: Record<string, [string, string]>;
    /** The Graph service principal lists no app role of that name (the script falls back to the published id). */
    noAppRole?: boolean;
    /** The consent POST is refused (the caller lacks the admin role). */
    consentRefused?: boolean;
}

/**
 * A stand-in `az` that answers the script's queries from a FakeTenant and logs every call (with the JSON of
 * --parameters files) so a test can see what would have changed in Entra ID.
 */
function fakeAz(tenant: FakeTenant, log: string): string {
    const fics = Object.entries(tenant.federatedCredentials)
        .map(([name, [issuer, subject]]) => `  *"'${name}'"*) printf '%s\\t%s\\n' '${issuer}' '${subject}' ;;`)
        .join("\n");
    return `#!/usr/bin/env bash
args="$*"
printf '%s\\n' "$args" >> '${log}'
prev=""
for a in "$@"; do
    if [[ $prev == --parameters ]]; then printf 'PARAMETERS %s\\n' "$(cat "$a")" >> '${log}'; fi
    prev=$a
done
case "$args" in
    "account show --query {user: user.name, tenant: tenantId, cloud: environmentName} -o tsv") printf 'admin@contoso.example\\t${TENANT_ID}\\tAzureCloud\\n' ;;
    "account show --query tenantId -o tsv") echo ${TENANT_ID} ;;
    "cloud show --query endpoints.microsoftGraphResourceId -o tsv") echo https://graph.microsoft.com/ ;;
    "ad app list --display-name "*"--query length(@) -o tsv") echo ${tenant.appExists ? 1 : 0} ;;
    "ad app list --display-name "*"--query [0].appId -o tsv") ${tenant.appExists ? `echo ${APP_ID}` : "true"} ;;
    "ad app create "*) echo ${APP_ID} ;;
    "ad app show --id ${APP_ID} --query id -o tsv") echo ${APP_OBJECT_ID} ;;
    "ad sp list "*) ${tenant.spExists ? `echo ${SP_ID}` : "true"} ;;
    "ad sp create "*) echo ${SP_ID} ;;
    "ad app federated-credential list "*)
        case "$args" in
${fics}
            *) true ;;
        esac ;;
    "ad app federated-credential create "* | "ad app federated-credential update "*) true ;;
    "ad sp show --id 00000003-0000-0000-c000-000000000000 --query id -o tsv") echo ${GRAPH_SP_ID} ;;
    "ad sp show --id 00000003-0000-0000-c000-000000000000 --query appRoles"*) ${tenant.noAppRole ? "true" : `echo ${APP_ROLE_ID}`} ;;
    "ad app permission list "*) echo ${tenant.permissionDeclared ? 1 : 0} ;;
    "ad app permission add "*) true ;;
    "rest --method GET "*) echo ${tenant.consentGranted ? 1 : 0} ;;
    "rest --method POST "*) ${tenant.consentRefused ? "echo 'ERROR: Forbidden' >&2; exit 1" : "true"} ;;
    *) echo "fake az: unexpected call: $args" >&2; exit 99 ;;
esac
`;
}

export interface ScriptRun {
    code: number;
    stdout: string;
    stderr: string;
    /** Every az call, one per line, with PARAMETERS lines after federated-credential calls. */
    calls: string[];
}

/** Runs the setup script with the fake `az` first on PATH. */
export function runSetupScript(args: string[], tenant: FakeTenant | undefined): Promise<ScriptRun> {
    const work = mkdtempSync(join(tmpdir(), "intune-setup-script-"));
    const log = join(work, "az.log");
    writeFileSync(log, "");
    const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${work}:${process.env.PATH ?? ""}` };
    if (tenant) {
        writeFileSync(join(work, "az"), fakeAz(tenant, log));
        chmodSync(join(work, "az"), 0o755);
    } else {
        env.PATH = work; // nothing on PATH: an Azure CLI installed on this machine must not be found
    }
    return new Promise((resolvePromise) => {
        execFile(BASH, [SETUP_SCRIPT, ...args], { env, timeout: 60_000 }, (err, stdout, stderr) => {
            const calls = readFileSync(log, "utf8").split("\n").filter(Boolean);
            rmSync(work, { recursive: true, force: true });
            resolvePromise({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr, calls });
        });
    });
}

/** `bash -n`: the script parses. */
export function bashSyntaxCheck(path: string): Promise<{ code: number; output: string }> {
    return new Promise((resolvePromise) => {
        execFile(BASH, ["-n", path], (err, stdout, stderr) => resolvePromise({ code: err ? 1 : 0, output: `${stdout}${stderr}` }));
    });
}
