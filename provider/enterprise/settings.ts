import * as t from "io-ts";
import { isLeft } from "fp-ts/Either";
import type { GraphClient } from "../graph/client";
import { Operation, ReportedError } from "../graph/errors";
import { enumNameOnTheWire, nullable } from "../profiles/model";
import { shownValue } from "../profiles/decodeErrors";

/**
 * The tenant's Android Enterprise settings, the singleton
 *   GET  /beta/deviceManagement/androidManagedStoreAccountEnterpriseSettings   (Read.All or ReadWrite.All)
 *   POST /beta/deviceManagement/androidManagedStoreAccountEnterpriseSettings/setAndroidDeviceOwnerFullyManagedEnrollmentState
 *        {"enabled": true|false}                                               (ReadWrite.All; 204)
 * Two of its properties decide whether devices can enroll: the binding to managed Google Play, and the switch for
 * corporate-owned user devices. Its company codes carry enrollment tokens: they are never selected.
 */

export const ENTERPRISE_SETTINGS_PATH = "/deviceManagement/androidManagedStoreAccountEnterpriseSettings";
export const SET_FULLY_MANAGED_STATE_PATH = `${ENTERPRISE_SETTINGS_PATH}/setAndroidDeviceOwnerFullyManagedEnrollmentState`;

/** The enumerations of the settings, by their metadata names, each member in the order of its integer (the answer may spell either). */
export const SETTINGS_ENUMS = {
    androidManagedStoreAccountBindStatus: ["notBound", "bound", "boundAndValidated", "unbinding"],
    androidManagedStoreAccountEnrollmentTarget: ["none", "all", "targeted", "targetedAsEnrollmentRestrictions"],
    androidManagedStoreAccountAppSyncStatus: ["success", "credentialsNotValid", "androidForWorkApiError", "managementServiceError", "unknownError", "none"],
};

/** What the provider reads of the settings: everything but the company codes (secrets it has no use for). */
export const EnterpriseSettings = t.partial(
    {
        id: nullable(t.string),
        bindStatus: nullable(enumNameOnTheWire(SETTINGS_ENUMS.androidManagedStoreAccountBindStatus, "androidManagedStoreAccountBindStatus")),
        androidDeviceOwnerFullyManagedEnrollmentEnabled: nullable(t.boolean),
        enrollmentTarget: nullable(enumNameOnTheWire(SETTINGS_ENUMS.androidManagedStoreAccountEnrollmentTarget, "androidManagedStoreAccountEnrollmentTarget")),
        targetGroupIds: nullable(t.array(nullable(t.string))),
        deviceOwnerManagementEnabled: nullable(t.boolean),
        ownerOrganizationName: nullable(t.string),
        ownerUserPrincipalName: nullable(t.string),
        lastAppSyncDateTime: nullable(t.string),
        lastAppSyncStatus: nullable(enumNameOnTheWire(SETTINGS_ENUMS.androidManagedStoreAccountAppSyncStatus, "androidManagedStoreAccountAppSyncStatus")),
        lastModifiedDateTime: nullable(t.string),
    },
    "androidManagedStoreAccountEnterpriseSettings",
);
export type EnterpriseSettings = t.TypeOf<typeof EnterpriseSettings>;

const SELECT = Object.keys(EnterpriseSettings.props).join(",");

/** Bound to managed Google Play and usable; `unbinding` is on its way out. */
export const isBound = (settings: EnterpriseSettings): boolean => settings.bindStatus === "bound" || settings.bindStatus === "boundAndValidated";

export class EnterpriseSettingsError extends ReportedError {
    constructor(message: string) {
        super(message);
        this.name = "EnterpriseSettingsError";
    }
}

export async function readEnterpriseSettings(client: GraphClient, operation: Operation): Promise<EnterpriseSettings> {
    const body = await client.get(operation, ENTERPRISE_SETTINGS_PATH, { $select: SELECT });
    const decoded = EnterpriseSettings.decode(body);
    if (isLeft(decoded) || typeof body !== "object" || body === null) {
        throw new EnterpriseSettingsError(
            `${operation.description} failed: Graph answered with settings that do not decode (${shownValue(body, true)}). The API may have changed; please report this message`,
        );
    }
    return decoded.right;
}

export async function setFullyManagedEnrollment(client: GraphClient, operation: Operation, enabled: boolean): Promise<void> {
    await client.action(operation, SET_FULLY_MANAGED_STATE_PATH, { enabled });
}

/** What `getAndroidEnterpriseSettings` returns: whether the tenant is ready for Android Enterprise enrollment. */
export const ENTERPRISE_SETTINGS_SUMMARY = {
    /** The binding to managed Google Play: notBound, bound, boundAndValidated or unbinding (null: not reported). */
    bindStatus: nullable(t.string),
    /** Bound and usable: every enrollment mode but AOSP needs this. */
    boundToManagedGooglePlay: t.boolean,
    /** Corporate-owned user enrollment: what fully managed and corporate-owned work profile need. */
    fullyManagedEnrollmentEnabled: nullable(t.boolean),
    /** Which users may enroll personally-owned work profile devices: none, all, targeted, targetedAsEnrollmentRestrictions. */
    enrollmentTarget: nullable(t.string),
    /** The organisation the managed Google Play binding belongs to. */
    ownerOrganizationName: nullable(t.string),
    /** The account the managed Google Play binding was made with. */
    ownerUserPrincipalName: nullable(t.string),
    /** When apps were last synchronised from managed Google Play. */
    lastAppSyncDateTime: nullable(t.string),
    /** How the last app synchronisation went. */
    lastAppSyncStatus: nullable(t.string),
};
export const AndroidEnterpriseSettingsResult = t.type(ENTERPRISE_SETTINGS_SUMMARY, "AndroidEnterpriseSettingsResult");
export type AndroidEnterpriseSettingsResult = t.TypeOf<typeof AndroidEnterpriseSettingsResult>;

/** What the lookups of both front doors return of the settings. */
export function settingsSummary(s: EnterpriseSettings): AndroidEnterpriseSettingsResult {
    return {
        bindStatus: s.bindStatus ?? null,
        boundToManagedGooglePlay: isBound(s),
        fullyManagedEnrollmentEnabled: s.androidDeviceOwnerFullyManagedEnrollmentEnabled ?? null,
        enrollmentTarget: s.enrollmentTarget ?? null,
        ownerOrganizationName: s.ownerOrganizationName ?? null,
        ownerUserPrincipalName: s.ownerUserPrincipalName ?? null,
        lastAppSyncDateTime: s.lastAppSyncDateTime ?? null,
        lastAppSyncStatus: s.lastAppSyncStatus ?? null,
    };
}
