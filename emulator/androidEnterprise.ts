import { Clock, graphTimestamp } from "./clock";
import { EmulatedError, graphError, intuneError } from "./graphErrors";
import { parseSelect } from "./odata";
import { Behaviour, UNBOUND_REFUSALS } from "./options";
import { Entity, ProfileStore } from "./store";
import { parseBody } from "./validation";
import {
    ENTERPRISE_SETTINGS,
    SET_FULLY_MANAGED_STATE,
    ENTERPRISE_SETTINGS_TYPE,
    BIND_STATUSES,
    ENTERPRISE_PROPERTIES,
    AndroidEnterpriseSettings,
    APP_SYNC_STATUSES,
    ENROLLMENT_TARGETS,
} from "./enterpriseSettingsShape";

/**
 * The tenant's Android Enterprise settings: the singleton `deviceManagement/androidManagedStoreAccountEnterpriseSettings`
 * (Microsoft's beta metadata, intune-androidforwork-…). Two of its properties decide whether devices can enroll:
 * `bindStatus` (the tenant's binding to managed Google Play, which every device-owner mode but the AOSP ones needs)
 * and `androidDeviceOwnerFullyManagedEnrollmentEnabled` ("allow users to enroll corporate-owned user devices", which
 * fully managed and corporate-owned work profile enrollment need), changed by the bound action
 * `setAndroidDeviceOwnerFullyManagedEnrollmentState`. The binding itself is made in the Intune admin center with a
 * Google account: the emulator's admin routes change it behind the client's back.
 */

export * from "./enterpriseSettingsShape";

const NO_DATE = "0001-01-01T00:00:00Z";

/** The settings' enumerations, each member in the order of its integer, for `enumsAs: "number"`. */
const ENUMS: Record<string, readonly string[]> = { bindStatus: BIND_STATUSES, lastAppSyncStatus: APP_SYNC_STATUSES, enrollmentTarget: ENROLLMENT_TARGETS };

/** A property's value as the answer spells it: an enumeration member by name, or by integer as `enumsAs` says. */
function spelt(property: string, value: unknown, b: Behaviour): unknown {
    const members = ENUMS[property];
    if (b.enumsAs !== "number" || !members || typeof value !== "string" || !members.includes(value)) return value;
    return members.indexOf(value);
}

/** A tenant bound to managed Google Play, with corporate-owned user enrollment on: where most tests start. */
export function boundSettings(now: number): Entity {
    return {
        id: "androidManagedStoreAccountEnterpriseSettings",
        bindStatus: "boundAndValidated",
        lastAppSyncDateTime: graphTimestamp(now),
        lastAppSyncStatus: "success",
        ownerUserPrincipalName: "intune-admin@contoso.example",
        ownerOrganizationName: "Contoso (emulated)",
        lastModifiedDateTime: graphTimestamp(now),
        enrollmentTarget: "all",
        targetGroupIds: [],
        deviceOwnerManagementEnabled: true,
        // Company codes carry enrollment tokens: a client must treat them as secrets, so the emulator has one.
        companyCodes: [{ enrollmentToken: "ENTERPRISE-COMPANY-CODE-TOKEN-7Q2X", qrCodeContent: "company-code-qr-content-7Q2X", qrCodeImage: null }],
        androidDeviceOwnerFullyManagedEnrollmentEnabled: true,
        managedGooglePlayInitialScopeTagIds: ["0"],
    };
}

/** A tenant never bound to managed Google Play: what Intune reports before anyone signs up. */
export function unboundSettings(now: number): Entity {
    return {
        ...boundSettings(now),
        bindStatus: "notBound",
        lastAppSyncDateTime: NO_DATE,
        lastAppSyncStatus: "none",
        ownerUserPrincipalName: null,
        ownerOrganizationName: null,
        enrollmentTarget: "none",
        companyCodes: [],
        androidDeviceOwnerFullyManagedEnrollmentEnabled: false,
    };
}

/** The settings an emulator starts with (and returns to on reset): bound unless the options say otherwise. */
export function initialSettings(options: AndroidEnterpriseSettings | undefined, now: number): Entity {
    const base = options?.bindStatus === "notBound" ? unboundSettings(now) : boundSettings(now);
    return { ...base, ...options };
}

export interface EnterpriseRequest {
    method: string;
    action?: typeof SET_FULLY_MANAGED_STATE;
    query: URLSearchParams;
    body: string;
    serviceRoot: string;
    /** What the caller may do (application permissions or delegated scopes). */
    canWrite: boolean;
}

/**
 * GET (with $select), PATCH and the switch's action, answered as the service does, with the readings the spec leaves
 * open played by behaviour switches: a read refused with 403, an action refused, the action in an unbound tenant,
 * a PATCH that does or does not change the switch, and refusals worded otherwise.
 */
export class EnterpriseSettingsService {
    constructor(
        private readonly store: ProfileStore,
        private readonly clock: Clock,
        private readonly behaviour: () => Behaviour,
        private readonly initial: () => Entity,
    ) {}

    current(): Entity {
        return this.store.getSingleton(ENTERPRISE_SETTINGS) ?? this.initial();
    }

    /** A change made outside Graph (the admin center, Google's side of the binding). */
    change(patch: AndroidEnterpriseSettings): Entity {
        if (patch.bindStatus !== undefined && !BIND_STATUSES.includes(patch.bindStatus))
            throw new Error(`bindStatus must be one of ${BIND_STATUSES.join(", ")}`);
        const next = { ...this.current(), ...patch, lastModifiedDateTime: graphTimestamp(this.clock.now()) };
        this.store.putSingleton(ENTERPRISE_SETTINGS, next);
        return next;
    }

    handle(req: EnterpriseRequest): { status: number; body?: unknown } {
        const b = this.behaviour();
        if (req.action) {
            if (req.method !== "POST") throw graphError(405, "BadRequest", `The HTTP method '${req.method}' is not allowed for this action.`);
            return this.setFullyManagedState(req, b);
        }
        if (req.method === "GET") {
            if (b.enterpriseSettingsRead === "forbidden") throw this.refusal(403, "Forbidden", "read", b);
            const select = parseSelect(req.query.get("$select"), ENTERPRISE_PROPERTIES, ENTERPRISE_SETTINGS_TYPE);
            const entity = this.current();
            const body: Entity = {
                "@odata.context": `${req.serviceRoot}/$metadata#deviceManagement/${ENTERPRISE_SETTINGS}${select ? `(${select.join(",")})` : ""}/$entity`,
                "@odata.type": `#${ENTERPRISE_SETTINGS_TYPE}`,
            };
            for (const p of select ?? ENTERPRISE_PROPERTIES) body[p] = spelt(p, entity[p] ?? null, b);
            return { status: 200, body };
        }
        if (req.method === "PATCH") {
            if (!req.canWrite) throw this.refusal(403, "Forbidden", "write", b);
            const fields = parseBody(req.body);
            const patch: Entity = {};
            // Only these are writable in the metadata's sense; the binding is Google's, the times the service's.
            for (const k of ["enrollmentTarget", "targetGroupIds", "deviceOwnerManagementEnabled", "managedGooglePlayInitialScopeTagIds"]) {
                if (k in fields) patch[k] = fields[k];
            }
            if ("androidDeviceOwnerFullyManagedEnrollmentEnabled" in fields && b.enterpriseSettingsPatchSwitch === "applies") {
                patch.androidDeviceOwnerFullyManagedEnrollmentEnabled = fields.androidDeviceOwnerFullyManagedEnrollmentEnabled;
            }
            this.change(patch);
            return { status: 204 };
        }
        throw graphError(405, "BadRequest", `The HTTP method '${req.method}' is not allowed for this resource.`);
    }

    private setFullyManagedState(req: EnterpriseRequest, b: Behaviour): { status: number } {
        if (!req.canWrite || b.fullyManagedStateAction === "refused") throw this.refusal(403, "Forbidden", "write", b);
        const fields = parseBody(req.body);
        if (typeof fields.enabled !== "boolean") {
            throw graphError(400, "BadRequest", "The parameter 'enabled' in the request payload is not a valid parameter for the operation.");
        }
        const bound = ["bound", "boundAndValidated"].includes(String(this.current().bindStatus));
        if (!bound) {
            const reading = b.fullyManagedStateWhenUnbound;
            if (reading === "ignored") return { status: 204 };
            if (reading !== "applies") {
                const [status, code] = UNBOUND_REFUSALS[reading];
                throw this.refusal(status, code, "unbound", b);
            }
        }
        this.change({ androidDeviceOwnerFullyManagedEnrollmentEnabled: fields.enabled });
        return { status: 204 };
    }

    /** A refusal, worded the usual way or, with `refusalWording: "unusual"`, some other way a real service may. */
    private refusal(status: number, code: string, why: "read" | "write" | "unbound", b: Behaviour): EmulatedError {
        const usual = {
            read: "Application is not authorized to perform this operation. Application must have one of the following scopes: DeviceManagementConfiguration.Read.All, DeviceManagementConfiguration.ReadWrite.All",
            write: "Application is not authorized to perform this operation. Application must have one of the following scopes: DeviceManagementConfiguration.ReadWrite.All",
            unbound: "The tenant is not bound to Managed Google Play.",
        }[why];
        const unusual = {
            read: "Access denied for the requested resource in the current scope.",
            write: "The operation could not be completed for this account.",
            unbound: "AndroidForWork account is in an invalid state for this request.",
        }[why];
        return intuneError(status, code, b.refusalWording === "unusual" ? unusual : usual);
    }
}
