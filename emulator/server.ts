import { metadataXml } from "./metadata";
import { randomUUID } from "node:crypto";
import { IncomingMessage, ServerResponse } from "node:http";
import { constants as http2Constants, Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { Clock } from "./clock";
import { FaultAction, FaultInjector } from "./faults";
import { EmulatedError, errorBody, graphError, intuneError } from "./graphErrors";
import { AadError, Identity, permissionsFor } from "./identity";
import { Behaviour } from "./options";
import { isMembershipTargetAction, MembershipTargetAction } from "./membershipTarget";
import { ProfileService } from "./profileService";
import { CollectionName, isCollection } from "./profileTypes";
import { ENTERPRISE_SETTINGS, EnterpriseSettingsService, SET_FULLY_MANAGED_STATE } from "./androidEnterprise";
import { EmulatorStateError } from "./store";
import { Throttle } from "./throttle";

/** One Graph request as the emulator saw it, for tests and benchmarks that count calls. */
export interface RecordedRequest {
    at: number;
    method: string;
    path: string;
    operation: string;
    status: number;
    appId?: string;
    clientRequestId?: string;
}

/** A request as the emulator reads it, over HTTP/1.1 or HTTP/2. */
export type EmulatorRequest = IncomingMessage | Http2ServerRequest;
/** An answer as the emulator writes it, over HTTP/1.1 or HTTP/2. */
export type EmulatorResponse = ServerResponse | Http2ServerResponse;

export interface RouterParts {
    clock: Clock;
    identity: Identity;
    service: ProfileService;
    enterprise: EnterpriseSettingsService;
    throttle: Throttle;
    faults: FaultInjector;
    behaviour: () => Behaviour;
    baseUrl: () => string;
    record: (r: RecordedRequest) => void;
    admin: (req: EmulatorRequest, res: EmulatorResponse, url: URL, body: string) => Promise<void>;
}

/**
 * Codes of the emulator's own failures. Graph never sends them, so a client can tell a broken local stand-in from an
 * Intune outage and say so.
 */
export const EMULATOR_STATE_FILE_ERROR = "EmulatorStateFileError";
export const EMULATOR_INTERNAL_ERROR = "EmulatorInternalError";

const JSON_TYPE = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

export function readBody(req: EmulatorRequest): Promise<string> {
    return new Promise((resolve, reject) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
        req.on("error", reject);
    });
}

export function sendJson(res: EmulatorResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (answerGone(res)) return;
    const text = body === undefined ? "" : JSON.stringify(body);
    writeAnswer(res, status, { ...(body === undefined ? {} : { "Content-Type": JSON_TYPE, "Content-Length": Buffer.byteLength(text) }), ...headers }, text);
}

/**
 * Writes a whole answer, whichever HTTP version carries it. Two branches that read alike: TypeScript cannot call
 * `writeHead` on the union of the two response types (their overloads differ), only on each.
 */
function writeAnswer(res: EmulatorResponse, status: number, headers: Record<string, string | number>, text: string): void {
    if (res instanceof Http2ServerResponse) res.writeHead(status, headers).end(text);
    else res.writeHead(status, headers).end(text);
}

/** Whether the answer can no longer be written: its connection (HTTP/1.1) or its stream (HTTP/2) was dropped. */
function answerGone(res: EmulatorResponse): boolean {
    return res instanceof Http2ServerResponse ? res.stream.destroyed : res.destroyed;
}

/**
 * Drops the answer to one request, as a lost connection does: over HTTP/1.1 the connection goes, over HTTP/2 the
 * request's stream is reset (the others on the connection go on, as they would on their own connections).
 */
function dropAnswer(res: EmulatorResponse): void {
    if (res instanceof Http2ServerResponse) res.stream.close(http2Constants.NGHTTP2_INTERNAL_ERROR);
    else res.socket?.destroy();
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface GraphRoute {
    collection: CollectionName;
    id?: string;
    action?: "createToken" | "revokeToken" | MembershipTargetAction;
    operation: string;
}

/** The tenant's Android Enterprise settings (a singleton) or its switch's action. */
interface EnterpriseRoute {
    enterprise: true;
    action?: typeof SET_FULLY_MANAGED_STATE;
    operation: string;
}

/** Maps a Graph path to a collection, id and action, answering unknown segments the way Graph does. */
export function routeGraphPath(pathname: string, method: string, behaviour?: Behaviour): GraphRoute | EnterpriseRoute {
    const segments = pathname.split("/").filter(Boolean).map(decodeURIComponent);
    const [version, root, collectionSeg, ...rest] = segments;
    const unknown = (seg: string): EmulatedError => graphError(400, "BadRequest", `Resource not found for the segment '${seg}'.`);
    if (version !== "beta") {
        if (version === "v1.0") throw unknown(collectionSeg ?? root ?? version);
        throw graphError(400, "BadRequest", `Invalid version: ${version}`);
    }
    if (root !== "deviceManagement") throw unknown(root ?? "");
    if (collectionSeg === undefined) throw unknown("deviceManagement");
    if (collectionSeg === ENTERPRISE_SETTINGS) {
        const [action, ...extra] = rest;
        if (extra.length > 0) throw unknown(extra[0]);
        if (action === undefined) return { enterprise: true, operation: method === "GET" ? "getEnterpriseSettings" : "updateEnterpriseSettings" };
        if (action.replace(/^microsoft\.graph\./, "") === SET_FULLY_MANAGED_STATE)
            return { enterprise: true, action: SET_FULLY_MANAGED_STATE, operation: SET_FULLY_MANAGED_STATE };
        throw unknown(action);
    }
    // OData key syntax: collection('id') is the same as collection/id.
    const keyed = /^([A-Za-z]+)\('([^']*)'\)$/.exec(collectionSeg);
    const collection = keyed ? keyed[1] : collectionSeg;
    if (!isCollection(collection)) throw unknown(collection);
    const parts = keyed ? [keyed[2], ...rest] : rest;
    if (parts.length === 0) return { collection, operation: method === "POST" ? "create" : "list" };
    const [id, action, ...extra] = parts;
    if (extra.length > 0) throw unknown(extra[0]);
    if (action === undefined) {
        const operation = method === "GET" ? "get" : method === "PATCH" ? "update" : method === "DELETE" ? "delete" : method.toLowerCase();
        return { collection, id, operation };
    }
    const bare = action.replace(/^microsoft\.graph\./, "");
    if (bare === "createToken" || bare === "revokeToken") return { collection, id, action: bare, operation: bare };
    // Enrollment-time grouping is bound to the device-owner type only; a tenant may not serve it, or retrieve, yet.
    if (isMembershipTargetAction(bare) && collection === "androidDeviceOwnerEnrollmentProfiles") {
        const notServed =
            behaviour?.membershipTargetSet === "notServed" ||
            (bare === "retrieveEnrollmentTimeDeviceMembershipTarget" && behaviour?.membershipTargetRetrieve === "notServed");
        if (notServed) {
            if (behaviour.refusalWording === "unusual") throw graphError(400, "BadRequest", `The request is not supported for '${action}'.`);
            throw unknown(action);
        }
        if (bare === "retrieveEnrollmentTimeDeviceMembershipTarget" && behaviour?.membershipTargetRetrieve === "refused") {
            throw intuneError(403, "Forbidden", "The operation is not allowed for this tenant.");
        }
        return { collection, id, action: bare, operation: bare };
    }
    throw unknown(action);
}

/** The request handler: admin and identity routes first, then Graph with faults, auth, throttling and the service. */
export function createHandler(parts: RouterParts): (req: EmulatorRequest, res: EmulatorResponse) => void {
    return (req, res) => {
        handle(parts, req, res).catch((err: unknown) => {
            if (!res.headersSent)
                sendJson(res, 500, {
                    error: {
                        code: EMULATOR_INTERNAL_ERROR,
                        message: `The local Intune emulator failed (this is not an error of Microsoft Intune): ${String(err)}`,
                    },
                });
        });
    };
}

async function handle(parts: RouterParts, req: EmulatorRequest, res: EmulatorResponse): Promise<void> {
    const url = new URL(req.url ?? "/", parts.baseUrl());
    const method = (req.method ?? "GET").toUpperCase();
    const body = await readBody(req);
    const path = url.pathname;

    if (path.startsWith("/_emulator/")) return parts.admin(req, res, url, body);
    if (path.startsWith("/_github/oidc")) return githubOidc(parts, req, res, url);
    if (/^\/[^/]+\/(v2\.0\/\.well-known\/openid-configuration|oauth2\/v2\.0\/token|discovery\/v2\.0\/keys)$/.test(path)) {
        // Sign-in crosses the same distance as Graph does.
        const latency = parts.faults.latency();
        if (latency > 0) await sleep(latency);
        return identityRoute(parts, res, url, method, body);
    }
    // Graph serves its metadata document to anyone, as the real service does.
    if (path === "/beta/$metadata" && method === "GET") {
        const xml = metadataXml();
        return writeAnswer(res, 200, { "Content-Type": "application/xml;charset=utf-8", "Content-Length": Buffer.byteLength(xml) }, xml);
    }
    return graphRoute(parts, req, res, url, method, body);
}

function identityRoute(parts: RouterParts, res: EmulatorResponse, url: URL, method: string, body: string): void {
    const [, tenant] = url.pathname.split("/");
    const correlationId = randomUUID();
    try {
        if (url.pathname.endsWith("openid-configuration")) return sendJson(res, 200, parts.identity.openIdConfiguration(tenant));
        if (url.pathname.endsWith("/keys")) return sendJson(res, 200, parts.identity.jwks());
        if (method !== "POST") throw new AadError(405, "invalid_request", 900561, "The endpoint only accepts POST requests.");
        return sendJson(res, 200, parts.identity.token(tenant, new URLSearchParams(body)), { "Cache-Control": "no-store" });
    } catch (err) {
        if (err instanceof AadError) return sendJson(res, err.status, err.body(correlationId));
        throw err;
    }
}

function githubOidc(parts: RouterParts, req: EmulatorRequest, res: EmulatorResponse, url: URL): void {
    const issuer = parts.identity.githubIssuer();
    if (url.pathname.endsWith("/.well-known/openid-configuration")) {
        return sendJson(res, 200, { issuer, jwks_uri: `${issuer}/keys`, id_token_signing_alg_values_supported: ["RS256"] });
    }
    if (url.pathname.endsWith("/keys")) return sendJson(res, 200, parts.identity.jwks());
    if (url.pathname.endsWith("/token")) {
        // What ACTIONS_ID_TOKEN_REQUEST_URL answers inside a GitHub Actions job: the runner's request token is required.
        if (!/^Bearer\s+\S+/i.test(req.headers.authorization ?? "")) {
            return sendJson(res, 401, { message: "Unable to get ACTIONS_ID_TOKEN_REQUEST_TOKEN env variable" });
        }
        const subject = url.searchParams.get("subject") ?? "repo:contoso/intune-config:ref:refs/heads/main";
        const audience = url.searchParams.get("audience") ?? "api://AzureADTokenExchange";
        return sendJson(res, 200, { value: parts.identity.issueGithubOidcToken(subject, audience) });
    }
    return sendJson(res, 404, { message: "Not Found" });
}

async function applyFaults(actions: FaultAction[], res: EmulatorResponse): Promise<EmulatedError | "dropped" | undefined> {
    for (const a of actions) {
        if (a.kind === "delay") await sleep(a.ms);
        else if (a.kind === "drop") {
            dropAnswer(res);
            return "dropped";
        } else if (a.kind === "status") {
            const headers: Record<string, string> = {};
            if (a.retryAfter !== null && a.retryAfter !== undefined) headers["Retry-After"] = String(a.retryAfter);
            else if (a.retryAfter === undefined && (a.status === 429 || a.status === 503)) headers["Retry-After"] = "1";
            const code = a.code ?? STATUS_CODES[a.status] ?? "UnknownError";
            return a.status >= 500 && a.status !== 503
                ? graphError(a.status, code, a.message ?? DEFAULT_MESSAGES[a.status] ?? "An error occurred.", headers)
                : intuneError(a.status, code, a.message ?? DEFAULT_MESSAGES[a.status] ?? "An error occurred.", headers);
        }
    }
    return undefined;
}

const STATUS_CODES: Record<number, string> = {
    400: "BadRequest",
    401: "InvalidAuthenticationToken",
    403: "Forbidden",
    404: "ResourceNotFound",
    409: "Conflict",
    412: "PreconditionFailed",
    429: "TooManyRequests",
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
};
const DEFAULT_MESSAGES: Record<number, string> = {
    500: "An internal server error occurred.",
    502: "The gateway received an invalid response from the service.",
    503: "The service is temporarily unavailable. Please retry later.",
    504: "The request timed out at the gateway.",
    429: "Too many requests.",
};

/**
 * Graph reads a request body only as JSON: one sent as anything else (a form, no Content-Type at all) is refused,
 * however well-formed the JSON inside it is.
 */
function refuseNonJsonBody(req: EmulatorRequest, method: string, body: string, behaviour: Behaviour): void {
    if (method === "GET" || method === "DELETE" || body.trim() === "") return;
    const type = String(req.headers["content-type"] ?? "");
    if (/^application\/json\s*(;|$)/i.test(type)) return;
    if (behaviour.bodyWithoutJsonType === "400")
        throw graphError(
            400,
            "BadRequest",
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
        );
    throw graphError(415, "UnsupportedMediaType", `The content type '${type || "(none)"}' specified in the request is not supported; send application/json.`);
}

async function graphRoute(parts: RouterParts, req: EmulatorRequest, res: EmulatorResponse, url: URL, method: string, body: string): Promise<void> {
    const requestId = randomUUID();
    const clientRequestId = String(req.headers["client-request-id"] ?? requestId);
    const baseHeaders: Record<string, string> = {
        "request-id": requestId,
        "client-request-id": clientRequestId,
        "x-ms-ags-diagnostic": JSON.stringify({ ServerInfo: { DataCenter: "Emulator", Slice: "E", Ring: "0", ScaleUnit: "000", RoleInstance: "emulator" } }),
        // The service's own clock, which a test may have moved: tokens expire by it, and clients can tell.
        Date: new Date(parts.clock.now()).toUTCString(),
    };
    let operation = "unknown";
    let appId: string | undefined;
    const finish = (status: number, payload: unknown, extra: Record<string, string> = {}): void => {
        parts.record({ at: Date.now(), method, path: url.pathname, operation, status, appId, clientRequestId });
        sendJson(res, status, payload, { ...baseHeaders, ...extra });
    };
    const fail = (err: EmulatedError): void => finish(err.status, errorBody(err, requestId, clientRequestId, parts.clock.now()), err.headers);

    const before = await applyFaults(parts.faults.before(method, url.pathname), res);
    if (before === "dropped") return parts.record({ at: Date.now(), method, path: url.pathname, operation: "dropped", status: 0, clientRequestId });
    if (before) return fail(before);

    const auth = parts.identity.checkAccessToken(req.headers.authorization);
    if (!auth.ok) return fail(graphError(401, "InvalidAuthenticationToken", auth.reason ?? "Access token validation failure."));
    appId = auth.appId;

    try {
        const route = routeGraphPath(url.pathname, method, parts.behaviour());
        operation = route.operation;
        const isWrite = method !== "GET";
        const needed = permissionsFor(isWrite);
        if (!needed.some((p) => auth.permissions.includes(p))) {
            throw intuneError(
                403,
                "Forbidden",
                `Application is not authorized to perform this operation. Application must have one of the following scopes: ${needed.join(", ")}`,
            );
        }
        refuseNonJsonBody(req, method, body, parts.behaviour());
        const throttle = parts.throttle.admit(auth.appId ?? "unknown", isWrite, Date.now());
        if (!throttle.allowed) {
            const headers: Record<string, string> = {};
            if (parts.throttle.settings.retryAfter) {
                headers["Retry-After"] = String(Math.max(1, Math.ceil(throttle.retryAfterMs / 1000)));
                // A scaled-down window makes whole seconds far too coarse; Azure's retry-after-ms carries the exact wait.
                if (parts.throttle.settings.windowMs < 20_000) headers["retry-after-ms"] = String(throttle.retryAfterMs);
            }
            throw intuneError(
                429,
                "TooManyRequests",
                `Too many requests: the ${throttle.scope === "tenant-write" || throttle.scope === "app-write" ? "write" : "request"} limit for this ${throttle.scope?.startsWith("tenant") ? "tenant" : "application"} was reached. Retry later.`,
                headers,
            );
        }
        const result =
            "enterprise" in route
                ? parts.enterprise.handle({
                      method,
                      action: route.action,
                      query: url.searchParams,
                      body,
                      serviceRoot: `${parts.baseUrl()}/beta`,
                      canWrite: permissionsFor(true).some((p) => auth.permissions.includes(p)),
                  })
                : await parts.service.handle({
                      method,
                      collection: route.collection,
                      id: route.id,
                      action: route.action,
                      query: url.searchParams,
                      body,
                      serviceRoot: `${parts.baseUrl()}/beta`,
                      url,
                      appOnly: auth.appOnly ?? true,
                  });
        const after = await applyFaults(parts.faults.after(method, url.pathname), res);
        if (after === "dropped") return parts.record({ at: Date.now(), method, path: url.pathname, operation, status: 0, appId, clientRequestId });
        if (after) return fail(after);
        return finish(result.status, result.body);
    } catch (err) {
        if (err instanceof EmulatedError) return fail(err);
        if (err instanceof EmulatorStateError) return fail(graphError(500, EMULATOR_STATE_FILE_ERROR, err.message));
        throw err;
    }
}
