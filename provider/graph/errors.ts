import { scrub } from "./secrets";

/**
 * The one error type every Graph failure becomes. It carries what support needs (status, Graph code, request ids)
 * and a message an Intune engineer can act on, e.g.
 *   Creating Android enrollment profile "Kiosk" failed: 403 Forbidden (DeviceManagementConfiguration.ReadWrite.All
 *   is required; request-id 9b1f..., client-request-id 4c2e...)
 * Every text is scrubbed of secrets before it is stored, so the error can be logged or shown as it is.
 */

export type RequestKind = "read" | "write";

/**
 * Marks an error whose message is complete for the person who must act on it (settings, inputs, Graph's answer).
 * The dynamic-provider host prints `${err}: ${err.stack}` of every failure before handing the message to the
 * engine, which prints it again: the same words twice on one line, then a trace of this package's code that says
 * nothing to an Intune engineer. `${err}` of these errors starts with REPORTED_MARK, by which that print is dropped
 * (see runtime/quietReportedErrors); the engine still shows the message once. Bugs keep their trace.
 */
export const REPORTED_MARK = "\u2063intune:";

export class ReportedError extends Error {
    override toString(): string {
        return `${REPORTED_MARK}${this.name}: ${this.message}`;
    }
}

/** What the provider was doing, in the user's words: "Creating Android enrollment profile \"Kiosk\"". */
export interface Operation {
    description: string;
    kind: RequestKind;
    /** The call issues an enrollment token (createToken), which some tenants refused to app-only sign-ins. */
    issuesToken?: boolean;
}

const STATUS_TEXT: Record<number, string> = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    412: "Precondition Failed",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
};

export interface GraphErrorDetails {
    operation: Operation;
    status?: number;
    code: string;
    /** The service's message, with Intune's nested JSON unwrapped. */
    serviceMessage?: string;
    requestId?: string;
    clientRequestId?: string;
    attempts?: number;
    /** The request may have taken effect although no answer says so (timeout, dropped connection, 504). */
    outcomeUnknown?: boolean;
    /** How long the service asked to wait before sending again (Retry-After), where it said. */
    retryAfterMs?: number;
}

export class GraphRequestError extends ReportedError {
    readonly operation: Operation;
    readonly status?: number;
    readonly code: string;
    readonly serviceMessage?: string;
    readonly requestId?: string;
    readonly clientRequestId?: string;
    readonly attempts: number;
    readonly outcomeUnknown: boolean;
    readonly retryAfterMs?: number;

    constructor(d: GraphErrorDetails) {
        super(scrub(formatMessage(d)));
        this.name = "GraphRequestError";
        this.operation = d.operation;
        this.status = d.status;
        this.code = d.code;
        this.serviceMessage = d.serviceMessage === undefined ? undefined : scrub(d.serviceMessage);
        this.requestId = d.requestId;
        this.clientRequestId = d.clientRequestId;
        this.attempts = d.attempts ?? 1;
        this.outcomeUnknown = d.outcomeUnknown ?? false;
        this.retryAfterMs = d.retryAfterMs;
    }

    /**
     * This failure as the last answer of a create that was sent `sends` times in all (retries included), each send
     * whose outcome was unknown looked for and not found: the count says how long it was tried.
     */
    afterSends(sends: number): GraphRequestError {
        const { operation, status, code, serviceMessage, requestId, clientRequestId } = this;
        return new GraphRequestError({ operation, status, code, serviceMessage, requestId, clientRequestId, attempts: sends });
    }

    get isNotFound(): boolean {
        return this.status === 404;
    }

    /**
     * The service refused the call, however it words that (an action a tenant does not serve, or forbids for this
     * profile): judged by status alone. A 401 or 429 was already handled by the sign-in and retry handlers, and a 5xx
     * that outlasted the retries is an outage, not a refusal, as is a 408 timeout; 501 says the action is not implemented here.
     */
    get isRefusal(): boolean {
        const s = this.status;
        return s !== undefined && ((s >= 400 && s < 500 && s !== 401 && s !== 408 && s !== 429) || s === 501);
    }
}

/**
 * A create whose answer was lost, and the search for what it may have made failed too: it is not sent again, since
 * a second profile (with its own live token) is worse than a failed run.
 */
export class CreateOutcomeUnknown extends ReportedError {
    constructor(
        readonly lost: GraphRequestError,
        search: unknown,
    ) {
        const why = search instanceof Error ? search.message : String(search);
        super(
            scrub(
                `${lost.message}; it may have created the profile, and looking for it failed (${why}), so it was not sent again. ` +
                    "Before running again, list what it may have made with the orphans command (npx pulumi-intune-enrollment orphans --stack <stack>): " +
                    "a profile it lists can be deleted with it, or taken over with adoptExistingId; a new run would otherwise create a second one",
            ),
        );
        this.name = "CreateOutcomeUnknown";
    }
}

function formatMessage(d: GraphErrorDetails): string {
    const head = d.status !== undefined ? `${d.status} ${STATUS_TEXT[d.status] ?? d.code}` : d.code;
    const detail = [explain(d)];
    if (d.attempts && d.attempts > 1) detail.push(`gave up after ${d.attempts} attempts`);
    if (d.requestId) detail.push(`request-id ${d.requestId}`);
    if (d.clientRequestId) detail.push(`client-request-id ${d.clientRequestId}`);
    return `${d.operation.description} failed: ${head} (${detail.filter(Boolean).join("; ")})`;
}

/**
 * Codes the local Graph emulator (emulator/server.ts) answers for its own failures, such as its state file failing.
 * Graph never sends them. Spelled out here rather than imported, so the emulator is only loaded when it is used.
 */
export const LOCAL_EMULATOR_CODES = new Set(["EmulatorStateFileError", "EmulatorInternalError"]);

/** graph-api.md: app-only createToken was refused with 403 in 2021 reports (unconfirmed today). */
const APP_ONLY_TOKEN_HINT =
    "; if the app holds it already, the tenant may refuse to issue enrollment tokens to an app signing in as itself: run again signed in as a user allowed to issue them (intune:useAzureCli after az login)";

/** What the user should know or do, per class of failure; the service's own words where they help. */
function explain(d: GraphErrorDetails): string {
    const said = d.serviceMessage ? d.serviceMessage.trim() : "";
    // The emulator's words as they are: "the Intune service failed ... usually transient" would send users the wrong way.
    if (LOCAL_EMULATOR_CODES.has(d.code)) return said;
    switch (d.status) {
        case 401:
            return `the access token was rejected${said ? `: ${said}` : ""}; check intune:tenantId, intune:clientId and the credential, that the token is for ${"Microsoft Graph"} in the right cloud, and that the app holds ${d.operation.kind === "write" ? "DeviceManagementConfiguration.ReadWrite.All" : "DeviceManagementConfiguration.Read.All or .ReadWrite.All"} with admin consent`;
        case 403:
            return d.operation.kind === "write"
                ? `DeviceManagementConfiguration.ReadWrite.All is required; grant it to the app as an application permission and give admin consent${said ? ` (service said: ${said})` : ""}${d.operation.issuesToken ? APP_ONLY_TOKEN_HINT : ""}`
                : `DeviceManagementConfiguration.Read.All or DeviceManagementConfiguration.ReadWrite.All is required; grant it and give admin consent${said ? ` (service said: ${said})` : ""}`;
        case 404:
            return said && !/^resource not found$/i.test(said) ? said : "the profile does not exist (deleted outside Pulumi, or not yet visible)";
        case 429:
            return `Intune kept throttling the request${said ? `: ${said}` : ""}; lower intune:writesPerWindow if other apps share the tenant's budget`;
        case 500:
        case 502:
        case 503:
        case 504:
            return `the Intune service failed${said ? `: ${said}` : ""}; this is usually transient, run again`;
        default:
            return said;
    }
}

/**
 * Graph errors are `{"error":{"code","message","innerError"}}`; Intune serializes a JSON document into `message`
 * (`{"_version":3,"Message":"... - Operation ID ...",...}`). Returns the code and the human part of the message.
 */
export function parseGraphError(body: unknown): { code?: string; message?: string; requestId?: string } {
    if (body === null || typeof body !== "object") return {};
    const error = (body as { error?: unknown }).error;
    if (error === null || typeof error !== "object") return {};
    const e = error as { code?: unknown; message?: unknown; innerError?: unknown };
    const inner = (e.innerError ?? {}) as Record<string, unknown>;
    return {
        code: typeof e.code === "string" ? e.code : undefined,
        message: typeof e.message === "string" ? unwrapIntuneMessage(e.message) : undefined,
        requestId: typeof inner["request-id"] === "string" ? inner["request-id"] : undefined,
    };
}

export function unwrapIntuneMessage(message: string): string {
    const trimmed = message.trim();
    if (!trimmed.startsWith("{")) return trimmed;
    try {
        const nested = JSON.parse(trimmed) as { Message?: unknown; message?: unknown };
        const text = typeof nested.Message === "string" ? nested.Message : typeof nested.message === "string" ? nested.message : undefined;
        if (text === undefined) return trimmed;
        // Intune appends support breadcrumbs; the request ids are reported separately.
        return text.replace(/\s+-\s+Operation ID \(for customer support\):[\s\S]*$/, "").trim();
    } catch {
        return trimmed;
    }
}

/** The credential signed in to another tenant than the settings name: every call would go to the token's. */
export class TenantMismatchError extends ReportedError {
    constructor(operation: Operation, configured: string, tokenTenant: string) {
        super(
            `${operation.description} refused: the access token is for tenant ${tokenTenant}, but the settings name tenant ${configured} ` +
                "(intune:tenantId or AZURE_TENANT_ID). A pre-acquired token (intune:accessToken) and a managed identity sign in to their own tenant " +
                "whatever the settings say: make the two agree. Nothing was changed",
        );
        this.name = "TenantMismatchError";
    }
}

/** Errors raised before any request is sent: sign-in failures and settings. */
export class SignInError extends ReportedError {
    /** The credential's own words (first line, scrubbed), kept to restate the error for the operation it stopped. */
    private readonly detail: string;

    constructor(
        private readonly method: string,
        cause: unknown,
        operation?: Operation,
    ) {
        const text = cause instanceof SignInError ? cause.detail : cause instanceof Error ? cause.message : String(cause);
        let detail =
            cause instanceof SignInError
                ? text
                : /^ChainedTokenCredential authentication failed/.test(text)
                  ? explainChain(text)
                  : scrub(text.split(/\r?\n/)[0].trim());
        // MSAL reports an authority it could not fetch (unreachable, or a TLS certificate not trusted) only by this code.
        if (/endpoints_resolution_error/.test(detail) && !/caCertificatePath/.test(detail)) {
            detail +=
                "; the sign-in endpoint could not be reached or its TLS certificate is not trusted: check intune:authorityHost and network access, and trust a TLS-inspecting proxy's (or the emulator's) CA with intune:caCertificatePath or NODE_EXTRA_CA_CERTS";
        }
        super(
            operation
                ? `${operation.description} failed: could not sign in to Entra ID (${method}): ${detail}`
                : `Signing in to Entra ID (${method}) failed: ${detail}`,
        );
        this.name = "SignInError";
        this.detail = detail;
    }

    /** The same failure, told as the failure of the operation that needed the token. */
    during(operation: Operation): SignInError {
        return new SignInError(this.method, this, operation);
    }
}

/**
 * The default chain (DefaultAzureCredential) reports only "ChainedTokenCredential authentication failed" on its
 * first line; the lines after it say what each method lacked. Told together, with what would configure a method:
 * the usual cause is a pipeline that set intune:tenantId and intune:clientId but lost its secret or federation.
 */
export function explainChain(text: string): string {
    const tried = text
        .split(/\r?\n/)
        .slice(1)
        .map((line) =>
            line
                .replace(/^\s*\w*Error:\s*(Error:\s*)?/, "")
                .replace(/\s+/g, " ")
                .trim(),
        )
        .filter(Boolean)
        .map((line) =>
            /^EnvironmentCredential is unavailable/.test(line)
                ? "EnvironmentCredential: no AZURE_CLIENT_SECRET, AZURE_CLIENT_CERTIFICATE_PATH or AZURE_USERNAME in the environment"
                : line.split(/(?<=\.)\s/)[0].replace(/\.$/, ""),
        );
    return scrub(
        "no sign-in method is configured completely, so the default credential chain was tried" +
            (tried.length > 0 ? `, and each method failed: ${tried.join("; ")}` : "") +
            ". To sign in as the app registration set one of: intune:clientSecret (`pulumi config set --secret`) or AZURE_CLIENT_SECRET; " +
            "intune:clientCertificate or intune:clientCertificatePath; AZURE_FEDERATED_TOKEN_FILE (workload identity); " +
            "GitHub Actions OIDC (the job needs `permissions: id-token: write`); an Azure DevOps service connection " +
            "(AZURESUBSCRIPTION_SERVICE_CONNECTION_ID and SYSTEM_ACCESSTOKEN); or intune:useManagedIdentity / intune:useAzureCli",
    );
}
