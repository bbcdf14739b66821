/** The names and values of the tenant's Android Enterprise settings, as Microsoft's beta metadata defines them. */

export const ENTERPRISE_SETTINGS = "androidManagedStoreAccountEnterpriseSettings";
export const SET_FULLY_MANAGED_STATE = "setAndroidDeviceOwnerFullyManagedEnrollmentState";
export const ENTERPRISE_SETTINGS_TYPE = "microsoft.graph.androidManagedStoreAccountEnterpriseSettings";

export const BIND_STATUSES = ["notBound", "bound", "boundAndValidated", "unbinding"] as const;
export type BindStatus = (typeof BIND_STATUSES)[number];
export const APP_SYNC_STATUSES = ["success", "credentialsNotValid", "androidForWorkApiError", "managementServiceError", "unknownError", "none"] as const;
export const ENROLLMENT_TARGETS = ["none", "all", "targeted", "targetedAsEnrollmentRestrictions"] as const;

/** The settings' properties, in the metadata's order. */
export const ENTERPRISE_PROPERTIES = [
    "id",
    "bindStatus",
    "lastAppSyncDateTime",
    "lastAppSyncStatus",
    "ownerUserPrincipalName",
    "ownerOrganizationName",
    "lastModifiedDateTime",
    "enrollmentTarget",
    "targetGroupIds",
    "deviceOwnerManagementEnabled",
    "companyCodes",
    "androidDeviceOwnerFullyManagedEnrollmentEnabled",
    "managedGooglePlayInitialScopeTagIds",
] as const;

/** What a test, the demo or an admin route may set: any property, the binding among them. */
export type AndroidEnterpriseSettings = Partial<Record<(typeof ENTERPRISE_PROPERTIES)[number], unknown>> & { bindStatus?: BindStatus };
