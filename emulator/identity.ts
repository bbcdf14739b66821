import { randomUUID } from "node:crypto";
import { certificateThumbprints, decodeJwt, jwkFromPublicKey, signJwt, verifySignature, Claims } from "./jwt";
import { EmulatedApp, GRAPH_READ_ALL, GRAPH_READWRITE_ALL } from "./options";

/**
 * The emulated Entra ID tenant: the endpoints MSAL (inside @azure/identity) calls to sign an app in with a secret,
 * a certificate assertion or a federated (workload identity) assertion, and the check Graph makes on the bearer token.
 * It also plays a GitHub Actions OIDC issuer, so the federated path can be exercised end to end.
 */

/** Graph resources a token may be issued for: every national cloud's root, since clients ask for their cloud's scope. */
const GRAPH_RESOURCES = [
    "https://graph.microsoft.com",
    "https://graph.microsoft.us",
    "https://dod-graph.microsoft.us",
    "https://microsoftgraph.chinacloudapi.cn",
    "00000003-0000-0000-c000-000000000000",
];

const SIGNING_KID = "emulator-signing-key";
const CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

export interface AadErrorBody {
    error: string;
    error_description: string;
    error_codes: number[];
    timestamp: string;
    trace_id: string;
    correlation_id: string;
}

export class AadError extends Error {
    constructor(
        readonly status: number,
        readonly error: string,
        readonly code: number,
        description: string,
    ) {
        super(`AADSTS${code}: ${description}`);
    }

    body(correlationId: string): AadErrorBody {
        return {
            error: this.error,
            error_description: `${this.message}\r\nTrace ID: ${randomUUID()}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${new Date().toISOString()}`,
            error_codes: [this.code],
            timestamp: new Date().toISOString(),
            trace_id: randomUUID(),
            correlation_id: correlationId,
        };
    }
}

export interface AccessTokenCheck {
    ok: boolean;
    appId?: string;
    appOnly?: boolean;
    permissions: string[];
    reason?: string;
}

export class Identity {
    private apps = new Map<string, EmulatedApp>();

    constructor(
        readonly tenantId: string,
        apps: EmulatedApp[],
        private readonly signingKeyPem: string,
        private readonly signingPublicKeyPem: string,
        private readonly baseUrl: () => string,
        private readonly tokenLifetimeSeconds: number,
    ) {
        for (const app of apps) this.register(app);
    }

    register(app: EmulatedApp): void {
        this.apps.set(app.clientId.toLowerCase(), app);
    }

    registeredApps(): EmulatedApp[] {
        return [...this.apps.values()];
    }

    githubIssuer(): string {
        return `${this.baseUrl()}/_github/oidc`;
    }

    openIdConfiguration(tenant: string): Record<string, unknown> {
        const base = `${this.baseUrl()}/${tenant}`;
        return {
            issuer: `${this.baseUrl()}/${this.tenantId}/v2.0`,
            token_endpoint: `${base}/oauth2/v2.0/token`,
            authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
            end_session_endpoint: `${base}/oauth2/v2.0/logout`,
            device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
            jwks_uri: `${base}/discovery/v2.0/keys`,
            token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
            response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
            scopes_supported: ["openid", "profile", "email", "offline_access"],
            subject_types_supported: ["pairwise"],
            id_token_signing_alg_values_supported: ["RS256"],
            tenant_region_scope: "WW",
            cloud_instance_name: "microsoftonline.com",
        };
    }

    jwks(): Record<string, unknown> {
        return { keys: [jwkFromPublicKey(this.signingPublicKeyPem, SIGNING_KID)] };
    }

    /** OAuth 2.0 client-credentials grant. Returns the token response body or throws AadError. */
    /** Requests to the token endpoint so far, answered or refused: how often clients tried to sign in. */
    tokenRequests = 0;

    token(tenant: string, form: URLSearchParams): Record<string, unknown> {
        this.tokenRequests += 1;
        if (tenant.toLowerCase() !== this.tenantId && tenant !== "organizations") {
            throw new AadError(
                400,
                "invalid_request",
                90002,
                `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
            );
        }
        const grant = form.get("grant_type");
        if (grant !== "client_credentials") {
            throw new AadError(400, "unsupported_grant_type", 70003, `The app requested an unsupported grant type '${grant ?? ""}'.`);
        }
        const clientId = (form.get("client_id") ?? "").toLowerCase();
        const app = this.apps.get(clientId);
        if (!app) {
            throw new AadError(
                400,
                "unauthorized_client",
                700016,
                `Application with identifier '${clientId}' was not found in the directory '${this.tenantId}'.`,
            );
        }
        const scope = form.get("scope") ?? "";
        const resource = scope
            .split(" ")
            .find((s) => s.endsWith("/.default"))
            ?.replace(/\/\.default$/, "");
        if (!resource || !GRAPH_RESOURCES.includes(resource)) {
            throw new AadError(
                400,
                "invalid_scope",
                1002012,
                `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
            );
        }
        const secret = form.get("client_secret");
        const assertion = form.get("client_assertion");
        if (secret !== null) {
            if (!app.secret || secret !== app.secret) {
                throw new AadError(
                    401,
                    "invalid_client",
                    7000215,
                    "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app.",
                );
            }
        } else if (assertion !== null) {
            if (form.get("client_assertion_type") !== CLIENT_ASSERTION_TYPE) {
                throw new AadError(400, "invalid_request", 50027, "Invalid client_assertion_type.");
            }
            this.checkAssertion(app, assertion, tenant);
        } else {
            throw new AadError(401, "invalid_client", 7000218, "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.");
        }
        const accessToken = this.issueAccessToken({ clientId: app.clientId, roles: app.roles, resource });
        return { token_type: "Bearer", expires_in: this.tokenLifetimeSeconds, ext_expires_in: this.tokenLifetimeSeconds, access_token: accessToken };
    }

    /** An app-only access token for Graph, as the token endpoint would issue it. */
    issueAccessToken(opts: { clientId?: string; roles?: string[]; resource?: string; lifetimeSeconds?: number; delegatedScopes?: string[] }): string {
        const now = Math.floor(Date.now() / 1000);
        const clientId = opts.clientId ?? [...this.apps.values()][0]?.clientId ?? randomUUID();
        const claims: Claims = {
            aud: opts.resource ?? "https://graph.microsoft.com",
            iss: `https://sts.windows.net/${this.tenantId}/`,
            iat: now,
            nbf: now,
            exp: now + (opts.lifetimeSeconds ?? this.tokenLifetimeSeconds),
            appid: clientId,
            azp: clientId,
            idtyp: opts.delegatedScopes ? "user" : "app",
            oid: randomUUID(),
            sub: randomUUID(),
            tid: this.tenantId,
            uti: randomUUID(),
            ver: "1.0",
        };
        if (opts.delegatedScopes) claims.scp = opts.delegatedScopes.join(" ");
        else claims.roles = opts.roles ?? this.apps.get(clientId.toLowerCase())?.roles ?? [GRAPH_READWRITE_ALL];
        return signJwt(claims, this.signingKeyPem, SIGNING_KID);
    }

    /** A GitHub Actions-style OIDC token (what `ACTIONS_ID_TOKEN_REQUEST_URL` hands a job). */
    issueGithubOidcToken(subject: string, audience: string): string {
        const now = Math.floor(Date.now() / 1000);
        return signJwt(
            {
                iss: this.githubIssuer(),
                sub: subject,
                aud: audience,
                iat: now,
                nbf: now,
                exp: now + 300,
                jti: randomUUID(),
                repository: subject.split(":")[1] ?? "",
            },
            this.signingKeyPem,
            SIGNING_KID,
        );
    }

    private checkAssertion(app: EmulatedApp, assertion: string, tenant: string): void {
        const jwt = decodeJwt(assertion);
        if (!jwt) throw new AadError(401, "invalid_client", 50012, "The client assertion is not a valid JWT.");
        const now = Math.floor(Date.now() / 1000);
        if (typeof jwt.claims.exp !== "number" || jwt.claims.exp < now - 300) {
            throw new AadError(401, "invalid_client", 700024, "Client assertion is not within its valid time range.");
        }
        // A federated credential: an external issuer vouches for the workload.
        const federated = (app.federatedCredentials ?? []).find((f) => f.issuer === jwt.claims.iss);
        if (federated) {
            if (jwt.claims.iss !== this.githubIssuer() || !verifySignature(jwt, this.signingPublicKeyPem)) {
                throw new AadError(
                    401,
                    "invalid_client",
                    700211,
                    `No matching federated identity record found for presented assertion issuer '${String(jwt.claims.iss)}'.`,
                );
            }
            const audience = federated.audience ?? "api://AzureADTokenExchange";
            const auds = Array.isArray(jwt.claims.aud) ? jwt.claims.aud : [jwt.claims.aud];
            if (jwt.claims.sub !== federated.subject || !auds.includes(audience)) {
                throw new AadError(
                    401,
                    "invalid_client",
                    700213,
                    `No matching federated identity record found for presented assertion subject '${String(jwt.claims.sub)}'.`,
                );
            }
            return;
        }
        // A certificate credential: the app signed the assertion with its own key.
        if (!app.certificatePem) {
            throw new AadError(401, "invalid_client", 700027, "Client assertion failed signature validation: the application has no certificate credential.");
        }
        const thumbs = certificateThumbprints(app.certificatePem);
        const x5t = jwt.header.x5t ?? undefined;
        const x5tS256 = jwt.header["x5t#S256"] ?? undefined;
        if (x5t !== thumbs.x5t && x5tS256 !== thumbs.x5tS256) {
            throw new AadError(401, "invalid_client", 700027, "Client assertion contains an invalid signature. The key was not found.");
        }
        if (!verifySignature(jwt, thumbs.publicKey)) {
            throw new AadError(401, "invalid_client", 700027, "Client assertion failed signature validation.");
        }
        const auds = Array.isArray(jwt.claims.aud) ? jwt.claims.aud : [jwt.claims.aud];
        const expectedAud = `${this.baseUrl()}/${tenant}/oauth2/v2.0/token`;
        if (
            jwt.claims.iss !== app.clientId ||
            jwt.claims.sub !== app.clientId ||
            !auds.some((a) => a === expectedAud || String(a).endsWith("/oauth2/v2.0/token"))
        ) {
            throw new AadError(401, "invalid_client", 700023, "Client assertion audience claim does not match Realm issuer.");
        }
    }

    /** What Graph checks on `Authorization: Bearer ...`. */
    checkAccessToken(header: string | undefined): AccessTokenCheck {
        if (!header || !/^Bearer\s+\S/i.test(header)) return { ok: false, permissions: [], reason: "Access token is empty." };
        const jwt = decodeJwt(header.replace(/^Bearer\s+/i, "").trim());
        if (!jwt || !verifySignature(jwt, this.signingPublicKeyPem)) {
            return { ok: false, permissions: [], reason: "Invalid JWT token. The token is malformed or its signature is not valid." };
        }
        const now = Math.floor(Date.now() / 1000);
        if (typeof jwt.claims.exp !== "number" || jwt.claims.exp <= now || (typeof jwt.claims.nbf === "number" && jwt.claims.nbf > now + 300)) {
            return { ok: false, permissions: [], reason: "Lifetime validation failed, the token is expired." };
        }
        if (!GRAPH_RESOURCES.includes(String(jwt.claims.aud))) {
            return { ok: false, permissions: [], reason: "Invalid audience." };
        }
        if (jwt.claims.tid !== this.tenantId) return { ok: false, permissions: [], reason: "The token is for another tenant." };
        const roles = Array.isArray(jwt.claims.roles) ? (jwt.claims.roles as string[]) : [];
        const scp = typeof jwt.claims.scp === "string" ? jwt.claims.scp.split(" ") : [];
        return { ok: true, appId: String(jwt.claims.appid ?? "unknown"), appOnly: scp.length === 0, permissions: [...roles, ...scp] };
    }
}

/** The permissions that satisfy a read or a write on these collections. */
export function permissionsFor(isWrite: boolean): string[] {
    return isWrite ? [GRAPH_READWRITE_ALL] : [GRAPH_READ_ALL, GRAPH_READWRITE_ALL];
}
