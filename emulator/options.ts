import type { AndroidEnterpriseSettings } from "./enterpriseSettingsShape";

/** Everything that makes one emulator run differ from another: the service variants, limits and faults it plays. */

export const GRAPH_READ_ALL = "DeviceManagementConfiguration.Read.All";
export const GRAPH_READWRITE_ALL = "DeviceManagementConfiguration.ReadWrite.All";

export interface FederatedCredential {
    issuer: string;
    subject: string;
    audience?: string;
}

/** An app registration in the emulated Entra ID tenant. */
export interface EmulatedApp {
    clientId: string;
    displayName?: string;
    secret?: string;
    /** PEM of the public certificate whose private key signs the app's client assertions. */
    certificatePem?: string;
    federatedCredentials?: FederatedCredential[];
    /** Application permissions granted to the app (the `roles` claim). */
    roles: string[];
}

/** The switches for points the spec marks unconfirmed, plus service odd corners. Defaults are the likeliest. */
export interface Behaviour {
    /** PATCH answers 200 with the entity instead of 204. */
    patchReturnsEntity: boolean;
    /** A plain GET (no $select) returns tokenValue, qrCodeContent and qrCodeImage instead of null. */
    tokenFieldsOnGet: boolean;
    /** GMS-mode qrCodeContent is base64 of the provisioning JSON instead of the JSON itself. */
    gmsQrContentBase64: boolean;
    /** How wifiPassword comes back on reads. */
    wifiPasswordOnRead: "null" | "omit" | "plain";
    /** Read-only properties in a create/update body: ignored, or refused with 400. */
    readOnlyPropertiesInBody: "ignore" | "reject";
    /** POST honours tokenExpirationDateTime in the body as the first token's expiry. */
    createHonoursTokenExpiration: boolean;
    /** The built-in profile with the undocumented enrollment mode 5 appears in device-owner lists. */
    builtInProfile: boolean;
    /** How that undocumented mode is serialized. */
    builtInModeAs: "number" | "string";
    /**
     * How answers spell enumeration values (a profile's enrollmentMode, enrollmentTokenType and wifiSecurityType, the
     * tenant settings' bindStatus, enrollmentTarget and lastAppSyncStatus, a group's targetValidationErrorCode): by
     * member name, as the reference pages show, or by integer, which an OData service may write since it accepts both.
     */
    enumsAs: "name" | "number";
    /** Largest page a list returns; more is offered through @odata.nextLink. */
    maxPageSize: number;
    /**
     * The origin written into @odata.nextLink: the one the request came to, or Microsoft Graph's own, as Graph
     * reached through a gateway or proxy (intune:graphEndpoint) writes it.
     */
    nextLinkOrigin: "request" | "graph";
    /** revokeToken also clears tokenValue and the QR fields (instead of only expiring the token). */
    revokeClearsToken: boolean;
    /** App-only tokens get 403 on createToken (reported in 2021). */
    appOnlyCreateTokenForbidden: boolean;
    /**
     * How a token that never expires (default fully-managed and work-profile tokens) reports
     * tokenExpirationDateTime: the minimum DateTimeOffset (the metadata makes it non-nullable), a far date, null,
     * or not at all.
     */
    neverExpiringTokenExpiry: "minDate" | "maxDate" | "null" | "absent";
    /** createToken without tokenValidityInSeconds is refused (the metadata declares the parameter non-nullable). */
    createTokenRequiresValidity: boolean;
    /** revokeToken on a token that never expires: refused (the portal offers no revoke for them) or done. */
    revokeNeverExpiringToken: "refuse" | "allow";
    /** The status of that refusal: which one Intune answers is nowhere written down. */
    revokeRefusalStatus: RevokeRefusalStatus;
    /** What a list answers in the token fields: always null, or their values when named in $select. */
    listTokenFields: "null" | "whenSelected";
    /**
     * Whether retrieveEnrollmentTimeDeviceMembershipTarget is served (the spec leaves open whether every tenant has
     * it yet); not served answers as Graph does for an unknown segment.
     */
    membershipTargetRetrieve: "served" | "notServed" | "refused";
    /**
     * Whether the tenant serves enrollment-time grouping at all (set and clear too; unconfirmed for every tenant):
     * not served answers as Graph does for an unknown segment. Not a variant every lifecycle runs over: a program
     * that declares a group cannot succeed there.
     */
    membershipTargetSet: "served" | "notServed";
    /** The enrollment-time grouping actions wrap their result in `{"value": {...}}`, as the documented example does. */
    membershipTargetResultWrapped: boolean;
    /**
     * Reading the tenant's Android Enterprise settings: allowed, or refused with 403 whatever the permission (an
     * Intune role scoped to profiles only, a delegated admin without the role).
     */
    enterpriseSettingsRead: "allowed" | "forbidden";
    /** setAndroidDeviceOwnerFullyManagedEnrollmentState: applied, or refused with 403 (a tenant that refuses it). */
    fullyManagedStateAction: "applies" | "refused";
    /**
     * What that action does in a tenant not bound to managed Google Play (unconfirmed): applies; refuses with 400,
     * 403 or 409; or answers 204 and changes nothing.
     */
    fullyManagedStateWhenUnbound: "applies" | keyof typeof UNBOUND_REFUSALS | "ignored";
    /** Whether a PATCH of the settings changes the switch too (unconfirmed): ignored, or applied. */
    enterpriseSettingsPatchSwitch: "ignored" | "applies";
    /**
     * How refusals are worded: the usual messages, or others a real service may use. Clients must judge a failure by
     * its status and by which call failed, never by the words.
     */
    refusalWording: "usual" | "unusual";
    /**
     * A body sent without an application/json Content-Type (unconfirmed which refusal Intune's front door gives): 415
     * Unsupported Media Type, or 400 with Graph's "Unable to read JSON request payload".
     */
    bodyWithoutJsonType: "415" | "400";
}

/**
 * The Entra ID groups the emulated tenant holds, as far as enrollment-time grouping looks at them: Intune accepts a
 * group only if it exists, is a security group with assigned (static) membership, has the Intune provisioning
 * client's service principal among its owners, and lies within the caller's scope.
 */
export interface EmulatedGroup {
    id: string;
    displayName: string;
    securityEnabled: boolean;
    membership: "static" | "dynamic";
    /** App ids of the service principals that own the group. */
    ownerAppIds: string[];
    /** False for a group outside the calling identity's scope (scope tags, administrative units). */
    inCallerScope?: boolean;
}

/** Microsoft's first-party "Intune Provisioning Client" application; its service principal must own the group. */
export const INTUNE_PROVISIONING_CLIENT_APP_ID = "f1346770-5b25-470b-88bd-d5744ab7952c";

/**
 * Groups every emulator has unless told otherwise: one that passes, and one for each way a group can fail.
 * Fixed ids, so tests and the demo can name them.
 */
export const DEFAULT_GROUPS: EmulatedGroup[] = [
    {
        id: "5a1f0c2e-7b3d-4e8a-9c61-0d2f4b6a8e01",
        displayName: "Kiosk devices (static, owned)",
        securityEnabled: true,
        membership: "static",
        ownerAppIds: [INTUNE_PROVISIONING_CLIENT_APP_ID],
    },
    {
        id: "5a1f0c2e-7b3d-4e8a-9c61-0d2f4b6a8e02",
        displayName: "Warehouse scanners (static, owned)",
        securityEnabled: true,
        membership: "static",
        ownerAppIds: [INTUNE_PROVISIONING_CLIENT_APP_ID],
    },
    {
        id: "5a1f0c2e-7b3d-4e8a-9c61-0d2f4b6a8e03",
        displayName: "All kiosks (dynamic)",
        securityEnabled: true,
        membership: "dynamic",
        ownerAppIds: [INTUNE_PROVISIONING_CLIENT_APP_ID],
    },
    {
        id: "5a1f0c2e-7b3d-4e8a-9c61-0d2f4b6a8e04",
        displayName: "Store staff (Microsoft 365 group)",
        securityEnabled: false,
        membership: "static",
        ownerAppIds: [INTUNE_PROVISIONING_CLIENT_APP_ID],
    },
    { id: "5a1f0c2e-7b3d-4e8a-9c61-0d2f4b6a8e05", displayName: "Kiosk devices (not owned)", securityEnabled: true, membership: "static", ownerAppIds: [] },
    {
        id: "5a1f0c2e-7b3d-4e8a-9c61-0d2f4b6a8e06",
        displayName: "Other region's kiosks (out of scope)",
        securityEnabled: true,
        membership: "static",
        ownerAppIds: [INTUNE_PROVISIONING_CLIENT_APP_ID],
        inCallerScope: false,
    },
];

export interface ThrottleSettings {
    enabled: boolean;
    /** Intune's window is 20 s; tests scale it down and keep the ratios. */
    windowMs: number;
    appWrites: number;
    appRequests: number;
    tenantWrites: number;
    tenantRequests: number;
    /** Send Retry-After on 429 (Intune sometimes omits it). */
    retryAfter: boolean;
}

/** A targeted fault: the next `times` requests that match get this treatment. */
export interface FaultRule {
    method?: string;
    /** Regular expression tested against the path (without query). */
    path?: string;
    status?: number;
    code?: string;
    message?: string;
    /** Destroy the connection instead of answering. */
    drop?: boolean;
    /** Apply after the request took effect (a POST that created, then the answer is lost or delayed). */
    afterCommit?: boolean;
    delayMs?: number;
    /** Retry-After seconds for a 429/503 rule; null omits the header. */
    retryAfter?: number | null;
    /** How many requests it applies to; omitted = every matching request until cleared. */
    times?: number;
}

export interface FaultSettings {
    /**
     * Time every Graph and sign-in request takes before it is served, as the round trip to Microsoft's front doors
     * does (tens to hundreds of ms). 0 answers at once, which keeps the tests fast.
     */
    latencyMs: number;
    /** Each request's latency is drawn evenly from latencyMs ± jitterMs (never below 0). */
    jitterMs: number;
    /**
     * Probability per Graph request of answering this status instead of serving it, e.g. { "503": 0.1 }. One roll
     * decides among them, so the rates add up: { "429": 0.3, "500": 0.1 } answers 40 % of requests with a fault.
     */
    statusRates: Partial<Record<"429" | "500" | "502" | "503" | "504", number>>;
    /** Whether the 429 and 503 answers of statusRates carry Retry-After (Intune sometimes omits it). */
    statusRetryAfter: boolean;
    /** Probability per Graph request of dropping the connection before it takes effect. */
    dropRate: number;
    /** Probability per write (POST, PATCH, DELETE) of applying it and then dropping the connection: the answer is lost. */
    dropAfterCommitRate: number;
    /** Reads of a profile answer 404 for this long after it was created. */
    notFoundAfterCreateMs: number;
    /**
     * Whether that window hides the new profile from its writes and actions too (PATCH, createToken, revokeToken,
     * DELETE). The spec says only that a read right after a write may 404; a service whose replicas lag would
     * answer the others so as well.
     */
    notFoundAfterCreateOnWrites: boolean;
    /** Reads of a profile return its previous version for this long after a PATCH. */
    staleAfterPatchMs: number;
    rules: FaultRule[];
}

/** The JSON line `npm run emulator -- --json` (cli.js) prints once it listens. */
export interface EmulatorCliInfo {
    url: string;
    /** The Graph root with /beta. */
    graphUrl: string;
    /** Path of the CA certificate file. */
    caCertificate: string;
    tenantId: string;
    clientId: string;
    clientSecret: string;
    /** A 24-hour token of the default app. */
    accessToken: string;
    stateFile: string | null;
}

export interface EmulatorOptions {
    host?: string;
    /** 0 (default) picks a free port. */
    port?: number;
    tenantId?: string;
    /** Folder for the CA, server certificate and signing key; reused across runs so clients keep trusting it. */
    tlsDir?: string;
    /** Persist profiles to this file so they survive a restart. */
    stateFile?: string;
    apps?: EmulatedApp[];
    /** Lifetime of issued access tokens. */
    tokenLifetimeSeconds?: number;
    behaviour?: Partial<Behaviour>;
    throttle?: Partial<ThrottleSettings>;
    faults?: Partial<FaultSettings>;
    /** Seed for the fault dice, so a failing run can be replayed. */
    seed?: number;
    /** Keep a log of every Graph request (method, path, status) for tests and benchmarks. */
    recordRequests?: boolean;
    /** The tenant's Entra ID groups for enrollment-time grouping; DEFAULT_GROUPS unless given. */
    groups?: EmulatedGroup[];
    /**
     * The tenant's Android Enterprise settings at start: bound to managed Google Play with corporate-owned user
     * enrollment on, unless given (`{ bindStatus: "notBound" }` starts an unbound tenant, with the switch off).
     */
    androidEnterprise?: AndroidEnterpriseSettings;
    /**
     * Offer HTTP/2 in ALPN, as Microsoft Graph does (default true); HTTP/1.1 is served either way, to clients that ask
     * for it. False plays a service, or a TLS-inspecting middlebox, that speaks only HTTP/1.1.
     */
    http2?: boolean;
}

export const DEFAULT_TENANT_ID = "8c1c6f5e-0d2c-4b9e-9f3a-2b7e1c3a9d10";

/** App registrations every emulator has unless told otherwise. */
export const DEFAULT_APPS: EmulatedApp[] = [
    {
        clientId: "0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b",
        displayName: "Intune pipeline (emulated)",
        secret: "emulator-client-secret",
        roles: [GRAPH_READWRITE_ALL],
    },
    {
        clientId: "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
        displayName: "Read-only reporting (emulated)",
        secret: "emulator-reader-secret",
        roles: [GRAPH_READ_ALL],
    },
    {
        clientId: "2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e",
        displayName: "No Intune permission (emulated)",
        secret: "emulator-unprivileged-secret",
        roles: [],
    },
];

/** Each status a refused revoke may carry, with the error code Graph pairs with it. */
export const REVOKE_REFUSAL_CODES = {
    400: "BadRequest",
    403: "Forbidden",
    405: "MethodNotAllowed",
    409: "Conflict",
    422: "UnprocessableEntity",
    501: "NotImplemented",
} as const;
export type RevokeRefusalStatus = keyof typeof REVOKE_REFUSAL_CODES;

/** Each way the switch's action may refuse in a tenant not bound to managed Google Play: its status and code. */
export const UNBOUND_REFUSALS = {
    refused: [400, "BadRequest"],
    forbidden: [403, "Forbidden"],
    conflict: [409, "Conflict"],
} as const;

export const DEFAULT_BEHAVIOUR: Behaviour = {
    patchReturnsEntity: false,
    tokenFieldsOnGet: false,
    gmsQrContentBase64: false,
    wifiPasswordOnRead: "null",
    readOnlyPropertiesInBody: "ignore",
    createHonoursTokenExpiration: true,
    builtInProfile: false,
    builtInModeAs: "string",
    enumsAs: "name",
    maxPageSize: 100,
    nextLinkOrigin: "request",
    revokeClearsToken: false,
    appOnlyCreateTokenForbidden: false,
    neverExpiringTokenExpiry: "minDate",
    createTokenRequiresValidity: true,
    revokeNeverExpiringToken: "refuse",
    revokeRefusalStatus: 400,
    listTokenFields: "null",
    membershipTargetRetrieve: "served",
    membershipTargetSet: "served",
    membershipTargetResultWrapped: false,
    enterpriseSettingsRead: "allowed",
    fullyManagedStateAction: "applies",
    fullyManagedStateWhenUnbound: "applies",
    enterpriseSettingsPatchSwitch: "ignored",
    refusalWording: "usual",
    bodyWithoutJsonType: "415",
};

/**
 * Every reading of each unconfirmed behaviour that a real tenant may show: the provider's lifecycle tests run
 * over these, so a reading the provider cannot handle fails a test instead of a customer's pipeline.
 */
export const BEHAVIOUR_VARIANTS: { readonly [K in keyof Behaviour]?: readonly Behaviour[K][] } = {
    neverExpiringTokenExpiry: ["minDate", "maxDate", "null", "absent"],
    createTokenRequiresValidity: [true, false],
    createHonoursTokenExpiration: [true, false],
    patchReturnsEntity: [false, true],
    revokeClearsToken: [false, true],
    revokeNeverExpiringToken: ["refuse", "allow"],
    revokeRefusalStatus: Object.keys(REVOKE_REFUSAL_CODES).map(Number) as RevokeRefusalStatus[],
    enumsAs: ["name", "number"],
    listTokenFields: ["null", "whenSelected"],
    tokenFieldsOnGet: [false, true],
    readOnlyPropertiesInBody: ["ignore", "reject"],
    wifiPasswordOnRead: ["null", "omit", "plain"],
    gmsQrContentBase64: [false, true],
    membershipTargetRetrieve: ["served", "notServed", "refused"],
    membershipTargetResultWrapped: [false, true],
    enterpriseSettingsRead: ["allowed", "forbidden"],
    fullyManagedStateAction: ["applies", "refused"],
    fullyManagedStateWhenUnbound: ["applies", ...(Object.keys(UNBOUND_REFUSALS) as (keyof typeof UNBOUND_REFUSALS)[]), "ignored"],
    enterpriseSettingsPatchSwitch: ["ignored", "applies"],
    refusalWording: ["usual", "unusual"],
    bodyWithoutJsonType: ["415", "400"],
};

export const DEFAULT_THROTTLE: ThrottleSettings = {
    enabled: true,
    windowMs: 20_000,
    appWrites: 100,
    appRequests: 1000,
    tenantWrites: 200,
    tenantRequests: 2000,
    retryAfter: true,
};

export const DEFAULT_FAULTS: FaultSettings = {
    latencyMs: 0,
    jitterMs: 0,
    statusRates: {},
    statusRetryAfter: true,
    dropRate: 0,
    dropAfterCommitRate: 0,
    notFoundAfterCreateMs: 0,
    notFoundAfterCreateOnWrites: false,
    staleAfterPatchMs: 0,
    rules: [],
};
