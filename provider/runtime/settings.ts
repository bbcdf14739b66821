import { readFileSync } from "node:fs";
import { Cloud, cloudByName, CLOUD_NAMES_ACCEPTED, CLOUDS, isMicrosoftAuthority } from "../graph/clouds";
import { ReportedError } from "../graph/errors";
import { rememberSecret } from "../graph/secrets";
import { nearest } from "./nearest";

/**
 * Provider settings: Pulumi stack config under `intune:` first, then the standard environment variables a pipeline
 * already sets for Azure. Resolution is pure (config and environment come in as functions) so it can be tested
 * and so nothing is read at module load, where it would be captured into the serialized provider.
 */

export const AUTH_METHODS = [
    "clientSecret",
    "clientCertificate",
    "workloadIdentity",
    "githubOidc",
    "azurePipelines",
    "managedIdentity",
    "azureCli",
    "accessToken",
    "default",
] as const;

export type AuthMethod = (typeof AUTH_METHODS)[number];

export interface Limits {
    /** Intune: 100 writes per 20 s per app. */
    writesPerWindow: number;
    /** Intune: 1000 requests per 20 s per app. */
    requestsPerWindow: number;
    windowMs: number;
}

export interface ProviderSettings {
    cloud: Cloud;
    graphRoot: string;
    authorityHost: string;
    scope: string;
    tenantId?: string;
    clientId?: string;
    auth: AuthSettings;
    /** Extra CA certificates (PEM) to trust, for the emulator or a TLS-inspecting proxy. */
    caCertificate?: string;
    /** True when the authority is not Microsoft's, so MSAL must not try instance discovery. */
    disableInstanceDiscovery: boolean;
    limits: Limits;
    requestTimeoutMs: number;
    maxRetryDurationMs: number;
    consistencyTimeoutMs: number;
    debug: boolean;
    /**
     * The program asked for the embedded Graph emulator (`intune:emulator` / INTUNE_EMULATOR). Never inferred: a
     * pipeline that lost its sign-in variables must fail, not deploy to a stand-in.
     */
    useEmbeddedEmulator: boolean;
    /** Profiles recorded in this place (a tenant id, or "emulator") are left there: a stack moving on purpose. */
    moveFrom?: string;
}

export type AuthSettings =
    | { method: "clientSecret"; clientSecret: string }
    | { method: "clientCertificate"; certificate?: string; certificatePath?: string; certificatePassword?: string }
    | { method: "workloadIdentity"; tokenFilePath: string }
    | { method: "githubOidc"; requestUrl: string; requestToken: string; audience: string }
    | { method: "azurePipelines"; serviceConnectionId: string; systemAccessToken: string }
    | { method: "managedIdentity"; managedIdentityClientId?: string }
    | { method: "azureCli" }
    | { method: "accessToken"; accessToken: string }
    | { method: "default"; managedIdentityClientId?: string };

/** One config key: its stack-config name, the environment variables that back it, and what it is for. */
export interface SettingKey {
    key: string;
    env: string[];
    secret?: boolean;
    /** What the value is (default: a string); config and environment give text either way, read as this type. */
    type?: "boolean" | "integer" | "number";
    doc: string;
}

/** Every setting the provider reads; `npm run docs` writes the table in docs/installation-configuration.md from this list. */
export const SETTING_KEYS: SettingKey[] = [
    { key: "tenantId", env: ["AZURE_TENANT_ID", "ARM_TENANT_ID"], doc: "Entra ID tenant (directory) id." },
    { key: "clientId", env: ["AZURE_CLIENT_ID", "ARM_CLIENT_ID"], doc: "Application (client) id of the app registration." },
    { key: "clientSecret", env: ["AZURE_CLIENT_SECRET", "ARM_CLIENT_SECRET"], secret: true, doc: "Client secret (set with `pulumi config set --secret`)." },
    { key: "clientCertificate", env: ["INTUNE_CLIENT_CERTIFICATE"], secret: true, doc: "Client certificate as PEM text (certificate and private key)." },
    {
        key: "clientCertificatePath",
        env: ["AZURE_CLIENT_CERTIFICATE_PATH", "ARM_CLIENT_CERTIFICATE_PATH"],
        doc: "Path of a PEM file with the certificate and private key.",
    },
    {
        key: "clientCertificatePassword",
        env: ["AZURE_CLIENT_CERTIFICATE_PASSWORD", "ARM_CLIENT_CERTIFICATE_PASSWORD"],
        secret: true,
        doc: "Password of an encrypted private key.",
    },
    {
        key: "federatedTokenFile",
        env: ["AZURE_FEDERATED_TOKEN_FILE"],
        doc: "File holding a federated (workload identity) token, as AKS and many CI systems provide.",
    },
    {
        key: "oidcRequestUrl",
        env: ["ACTIONS_ID_TOKEN_REQUEST_URL", "ARM_OIDC_REQUEST_URL"],
        doc: "GitHub Actions OIDC token endpoint (set by GitHub when the job has `id-token: write`).",
    },
    {
        key: "oidcRequestToken",
        env: ["ACTIONS_ID_TOKEN_REQUEST_TOKEN", "ARM_OIDC_REQUEST_TOKEN"],
        secret: true,
        doc: "Bearer token for that endpoint (set by GitHub).",
    },
    { key: "oidcAudience", env: ["INTUNE_OIDC_AUDIENCE"], doc: "Audience of the GitHub OIDC token; default `api://AzureADTokenExchange`." },
    {
        key: "serviceConnectionId",
        env: ["AZURESUBSCRIPTION_SERVICE_CONNECTION_ID", "ARM_OIDC_AZURE_SERVICE_CONNECTION_ID"],
        doc: "Azure DevOps workload-identity service connection id.",
    },
    { key: "systemAccessToken", env: ["SYSTEM_ACCESSTOKEN"], secret: true, doc: "Azure DevOps `$(System.AccessToken)`, mapped into the step's environment." },
    { key: "useManagedIdentity", type: "boolean", env: ["INTUNE_USE_MSI", "ARM_USE_MSI"], doc: "`true` to sign in with the machine's managed identity." },
    { key: "managedIdentityClientId", env: ["AZURE_MANAGED_IDENTITY_CLIENT_ID"], doc: "Client id of a user-assigned managed identity." },
    { key: "useAzureCli", type: "boolean", env: ["INTUNE_USE_CLI", "ARM_USE_CLI"], doc: "`true` to use the signed-in Azure CLI (`az login`)." },
    { key: "accessToken", env: ["INTUNE_ACCESS_TOKEN"], secret: true, doc: "A pre-acquired Graph access token (no refresh: it must outlive the run)." },
    { key: "authMethod", env: ["INTUNE_AUTH_METHOD"], doc: `Force one sign-in method: ${AUTH_METHODS.join(", ")}. Default: chosen from what is set.` },
    { key: "cloud", env: ["INTUNE_CLOUD", "ARM_ENVIRONMENT"], doc: "`global` (default), `usgovL4` (GCC High), `usgovL5` (DoD) or `china`." },
    { key: "graphEndpoint", env: ["INTUNE_GRAPH_ENDPOINT"], doc: "Override the Graph root (the emulator, a proxy); the cloud's scope is kept." },
    { key: "authorityHost", env: ["AZURE_AUTHORITY_HOST"], doc: "Override the sign-in authority host." },
    { key: "caCertificatePath", env: ["INTUNE_CA_CERTIFICATE_PATH"], doc: "PEM file of extra CAs to trust (the emulator's CA, a TLS-inspecting proxy)." },
    {
        key: "writesPerWindow",
        type: "integer",
        env: ["INTUNE_WRITES_PER_WINDOW"],
        doc: "Write budget per window, shared by the whole run (default 100, Intune's per-app limit).",
    },
    { key: "requestsPerWindow", type: "integer", env: ["INTUNE_REQUESTS_PER_WINDOW"], doc: "Request budget per window (default 1000)." },
    { key: "throttleWindowSeconds", type: "number", env: ["INTUNE_THROTTLE_WINDOW_SECONDS"], doc: "The budget window in seconds (default 20)." },
    { key: "requestTimeoutSeconds", type: "number", env: ["INTUNE_REQUEST_TIMEOUT_SECONDS"], doc: "Timeout of one HTTP attempt (default 60)." },
    { key: "maxRetrySeconds", type: "number", env: ["INTUNE_MAX_RETRY_SECONDS"], doc: "Give up retrying a request after this long (default 600)." },
    {
        key: "consistencyTimeoutSeconds",
        type: "number",
        env: ["INTUNE_CONSISTENCY_TIMEOUT_SECONDS"],
        doc: "How long to wait for a write to become visible (default 120).",
    },
    { key: "debug", type: "boolean", env: ["INTUNE_DEBUG"], doc: "`true` to trace every Graph request and response (secrets redacted) to stderr." },
    {
        key: "moveFrom",
        env: ["INTUNE_MOVE_FROM"],
        doc: "Move a stack on purpose: profiles recorded in this tenant id (or `emulator`) are left where they are and dropped from the stack by `pulumi refresh`, so the next `pulumi up` creates them in the configured tenant. Remove it afterwards.",
    },
    {
        key: "emulator",
        type: "boolean",
        env: ["INTUNE_EMULATOR"],
        doc: "`true` to run against the embedded Graph emulator instead of a tenant (demo, examples, tests): nothing reaches Intune. Never chosen without this.",
    },
];

/**
 * Environment variables the package reads besides those of SETTING_KEYS: where the embedded emulator keeps its state,
 * and the standalone emulator's TLS folder and port.
 */
export const OTHER_ENVIRONMENT_VARIABLES: { name: string; doc: string }[] = [
    { name: "INTUNE_EMULATOR_DIR", doc: "Where the embedded emulator keeps its state; default `.intune-emulator` in the program's folder." },
    { name: "INTUNE_EMULATOR_TLS_DIR", doc: "The standalone emulator's TLS folder (CA and certificate)." },
    { name: "INTUNE_EMULATOR_PORT", doc: "The standalone emulator's port." },
];

const CONFIG_PREFIX = "intune:";

/**
 * The problem with each `intune:*` key the provider does not read, naming the nearest one it does: a misspelt key
 * would otherwise be ignored, and the run would sign in some other way and fail for a reason that never names it.
 */
export function unknownConfigKeys(keys: readonly string[]): string[] {
    const known = SETTING_KEYS.map((s) => s.key);
    return keys
        .filter((k) => k.startsWith(CONFIG_PREFIX) && !known.includes(k.slice(CONFIG_PREFIX.length)))
        .map(
            (k) =>
                `\`${k}\` is not a setting of this provider; did you mean \`${CONFIG_PREFIX}${nearest(k.slice(CONFIG_PREFIX.length), known)}\`? (\`pulumi config rm ${k}\`)`,
        );
}

/**
 * What is wrong with one provider setting as a provider resource or the engine's CheckConfig gives it (a bare key,
 * a value of any type): an unknown key names the nearest known one; a typed key says the values it takes.
 */
export function settingProblem(key: string, value: unknown): string | undefined {
    const known = SETTING_KEYS.find((s) => s.key === key);
    if (!known)
        return `is not a setting of the intune provider; did you mean \`${nearest(
            key,
            SETTING_KEYS.map((s) => s.key),
        )}\`?`;
    if (value === undefined || value === null) return undefined;
    const text = typeof value === "string" ? value.trim() : JSON.stringify(value);
    if (known.type === "boolean" && !/^(true|false|1|0|yes|no)$/i.test(text)) return `must be true or false, not ${JSON.stringify(value)}`;
    if ((known.type === "integer" || known.type === "number") && !(Number(text) > 0 && (known.type === "number" || Number.isInteger(Number(text))))) {
        return `must be a positive ${known.type === "integer" ? "whole number" : "number"}, not ${JSON.stringify(value)}`;
    }
    if (!known.type && typeof value !== "string") return `must be a string, not ${known.secret ? `a ${typeof value}` : JSON.stringify(value)}`;
    return undefined;
}

/** A warning for each INTUNE_* environment variable the package does not read, naming the nearest one it does. */
export function unknownEnvironmentVariables(env: Environment): string[] {
    const known = [...new Set([...SETTING_KEYS.flatMap((s) => s.env), ...OTHER_ENVIRONMENT_VARIABLES.map((v) => v.name)])].filter((n) =>
        n.startsWith("INTUNE_"),
    );
    return Object.keys(env)
        .filter((name) => name.startsWith("INTUNE_") && !known.includes(name))
        .sort()
        .map((name) => `the environment variable ${name} is not read by the intune provider; did you mean ${nearest(name, known)}?`);
}

/** What to set to sign in to a tenant, for the error that says none is configured. */
const SIGN_IN_HINT =
    "set `intune:tenantId` (or AZURE_TENANT_ID) with a sign-in: `intune:clientId` and `intune:clientSecret` (or AZURE_CLIENT_ID and " +
    "AZURE_CLIENT_SECRET), a client certificate (`intune:clientCertificate` / `intune:clientCertificatePath`), workload identity " +
    "(AZURE_FEDERATED_TOKEN_FILE), GitHub Actions OIDC, an Azure DevOps service connection, `intune:useManagedIdentity`, " +
    "`intune:useAzureCli` or `intune:accessToken`; or `intune:graphEndpoint` for a Graph proxy";

export class SettingsError extends ReportedError {
    constructor(readonly problems: string[]) {
        super(`The intune provider is not configured correctly:\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "SettingsError";
    }
}

export type ConfigSource = (key: string) => string | undefined;
export type Environment = Record<string, string | undefined>;

const DEFAULT_OIDC_AUDIENCE = "api://AzureADTokenExchange";

/**
 * `declaredKeys`: every config key the stack sets, where the caller knows them; an `intune:*` key among them that the
 * provider does not read is a problem like any other.
 */
export function resolveSettings(config: ConfigSource, env: Environment = process.env, declaredKeys: readonly string[] = []): ProviderSettings {
    const problems: string[] = unknownConfigKeys(declaredKeys);
    const spec = new Map(SETTING_KEYS.map((s) => [s.key, s]));
    const get = (key: string): string | undefined => {
        const s = spec.get(key)!;
        const fromConfig = config(`intune:${key}`);
        const value = [fromConfig, ...s.env.map((e) => env[e])].find((v) => v !== undefined && v !== "");
        if (s.secret) rememberSecret(value);
        return value;
    };
    const where = (key: string): string => {
        const s = spec.get(key)!;
        return `\`intune:${key}\`${s.env.length ? ` or ${s.env[0]}` : ""}`;
    };
    const bool = (key: string): boolean => {
        const v = get(key);
        if (v === undefined) return false;
        if (/^(true|1|yes)$/i.test(v)) return true;
        if (/^(false|0|no)$/i.test(v)) return false;
        problems.push(`${where(key)} must be true or false, not "${v}"`);
        return false;
    };
    const positive = (key: string, fallback: number): number => {
        const v = get(key);
        if (v === undefined) return fallback;
        const n = Number(v);
        if (!Number.isFinite(n) || n <= 0) {
            problems.push(`${where(key)} must be a positive number, not "${v}"`);
            return fallback;
        }
        return n;
    };

    const cloudName = get("cloud") ?? "global";
    const cloud = cloudByName(cloudName) ?? CLOUDS.global;
    if (!cloudByName(cloudName))
        problems.push(
            `${where("cloud")} "${cloudName}" is not a cloud; use global, usgovL4, usgovL5 or china (also accepted: ${CLOUD_NAMES_ACCEPTED.join(", ")})`,
        );
    const graphRoot = trimSlash(get("graphEndpoint") ?? cloud.graphRoot);
    const authorityHost = trimSlash(get("authorityHost") ?? cloud.authorityHost);
    for (const [key, url] of [
        ["graphEndpoint", graphRoot],
        ["authorityHost", authorityHost],
    ] as const) {
        if (!/^https:\/\/[^/]+/.test(url)) problems.push(`${where(key)} must be an https:// URL, not "${url}"`);
    }

    let caCertificate: string | undefined;
    const caPath = get("caCertificatePath");
    if (caPath) {
        try {
            caCertificate = readFileSync(caPath, "utf8");
        } catch (err) {
            problems.push(`${where("caCertificatePath")}: cannot read "${caPath}" (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
        }
    }

    const tenantId = get("tenantId");
    const clientId = get("clientId");
    const auth = chooseAuth(get, bool, where, problems, tenantId, clientId);
    const anythingConfigured = auth !== undefined || tenantId !== undefined || clientId !== undefined || get("graphEndpoint") !== undefined;
    const emulator = bool("emulator");
    if (!anythingConfigured && !emulator && problems.length === 0) {
        problems.push(
            `no Intune tenant is configured: ${SIGN_IN_HINT}. To run against the local Graph emulator instead (nothing is deployed to ` +
                "Intune), set `intune:emulator` to true (`pulumi config set intune:emulator true`) or INTUNE_EMULATOR=true",
        );
    }

    const windowMs = positive("throttleWindowSeconds", 20) * 1000;
    const settings: ProviderSettings = {
        cloud,
        graphRoot,
        authorityHost,
        scope: cloud.scope,
        tenantId,
        clientId,
        auth: auth ?? { method: "default", managedIdentityClientId: get("managedIdentityClientId") },
        caCertificate,
        disableInstanceDiscovery: !isMicrosoftAuthority(authorityHost),
        limits: {
            writesPerWindow: positive("writesPerWindow", 100),
            requestsPerWindow: positive("requestsPerWindow", 1000),
            windowMs,
        },
        requestTimeoutMs: positive("requestTimeoutSeconds", 60) * 1000,
        maxRetryDurationMs: positive("maxRetrySeconds", 600) * 1000,
        consistencyTimeoutMs: positive("consistencyTimeoutSeconds", 120) * 1000,
        debug: bool("debug"),
        useEmbeddedEmulator: emulator,
        moveFrom: get("moveFrom"),
    };
    if (problems.length > 0) throw new SettingsError(problems);
    return settings;
}

function chooseAuth(
    get: (key: string) => string | undefined,
    bool: (key: string) => boolean,
    where: (key: string) => string,
    problems: string[],
    tenantId: string | undefined,
    clientId: string | undefined,
): AuthSettings | undefined {
    const forced = get("authMethod");
    if (forced !== undefined && !AUTH_METHODS.includes(forced as AuthMethod)) {
        problems.push(`${where("authMethod")} "${forced}" is not a sign-in method; use one of ${AUTH_METHODS.join(", ")}`);
        return undefined;
    }
    const need = (method: string, ...keys: string[]): boolean => {
        const missing = keys.filter((k) => (k === "tenantId" ? tenantId : k === "clientId" ? clientId : get(k)) === undefined);
        for (const k of missing) problems.push(`signing in with ${method} needs ${where(k)}`);
        return missing.length === 0;
    };
    const wants = (method: AuthMethod, detected: boolean): boolean => (forced === undefined ? detected : forced === method);

    if (wants("accessToken", get("accessToken") !== undefined)) {
        return need("a pre-acquired access token", "accessToken") ? { method: "accessToken", accessToken: get("accessToken")! } : undefined;
    }
    if (wants("clientSecret", get("clientSecret") !== undefined)) {
        return need("a client secret", "tenantId", "clientId", "clientSecret") ? { method: "clientSecret", clientSecret: get("clientSecret")! } : undefined;
    }
    if (wants("clientCertificate", get("clientCertificate") !== undefined || get("clientCertificatePath") !== undefined)) {
        if (!need("a client certificate", "tenantId", "clientId")) return undefined;
        if (!get("clientCertificate") && !get("clientCertificatePath")) {
            problems.push(`signing in with a client certificate needs ${where("clientCertificate")} or ${where("clientCertificatePath")}`);
            return undefined;
        }
        return {
            method: "clientCertificate",
            certificate: get("clientCertificate"),
            certificatePath: get("clientCertificatePath"),
            certificatePassword: get("clientCertificatePassword"),
        };
    }
    if (wants("workloadIdentity", get("federatedTokenFile") !== undefined && clientId !== undefined)) {
        return need("workload identity federation", "tenantId", "clientId", "federatedTokenFile")
            ? { method: "workloadIdentity", tokenFilePath: get("federatedTokenFile")! }
            : undefined;
    }
    if (wants("githubOidc", get("oidcRequestUrl") !== undefined && get("oidcRequestToken") !== undefined && clientId !== undefined)) {
        return need("GitHub Actions OIDC", "tenantId", "clientId", "oidcRequestUrl", "oidcRequestToken")
            ? {
                  method: "githubOidc",
                  requestUrl: get("oidcRequestUrl")!,
                  requestToken: get("oidcRequestToken")!,
                  audience: get("oidcAudience") ?? DEFAULT_OIDC_AUDIENCE,
              }
            : undefined;
    }
    if (wants("azurePipelines", get("serviceConnectionId") !== undefined && get("systemAccessToken") !== undefined && clientId !== undefined)) {
        return need("an Azure DevOps service connection", "tenantId", "clientId", "serviceConnectionId", "systemAccessToken")
            ? { method: "azurePipelines", serviceConnectionId: get("serviceConnectionId")!, systemAccessToken: get("systemAccessToken")! }
            : undefined;
    }
    if (wants("managedIdentity", bool("useManagedIdentity"))) {
        return { method: "managedIdentity", managedIdentityClientId: get("managedIdentityClientId") ?? clientId };
    }
    if (wants("azureCli", bool("useAzureCli"))) return { method: "azureCli" };
    if (forced === "default") return { method: "default", managedIdentityClientId: get("managedIdentityClientId") };
    return undefined;
}

function trimSlash(url: string): string {
    return url.replace(/\/+$/, "");
}
