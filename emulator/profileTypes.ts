/**
 * What the emulated service knows about each profile type: its collection, which properties a client may write,
 * which the server owns, and how its enrollment token behaves. Kept apart from the provider's own model on purpose:
 * the emulator stands in for Microsoft and must not inherit the provider's assumptions.
 */

export const ENROLLMENT_MODES = {
    corporateOwnedDedicatedDevice: 0,
    corporateOwnedFullyManaged: 1,
    corporateOwnedWorkProfile: 2,
    corporateOwnedAOSPUserlessDevice: 3,
    corporateOwnedAOSPUserAssociatedDevice: 4,
} as const;
export type EnrollmentMode = keyof typeof ENROLLMENT_MODES;

export const TOKEN_TYPES = {
    default: 0,
    corporateOwnedDedicatedDeviceWithAzureADSharedMode: 1,
    deviceStaging: 2,
} as const;
export type TokenType = keyof typeof TOKEN_TYPES;

export const WIFI_SECURITY_TYPES = { none: 0, wpa: 1, wep: 2 } as const;

/** Token types each mode accepts (the service rejects other pairs with 400). */
export const TOKEN_TYPES_BY_MODE: Record<EnrollmentMode, readonly TokenType[]> = {
    corporateOwnedDedicatedDevice: ["default", "corporateOwnedDedicatedDeviceWithAzureADSharedMode"],
    corporateOwnedFullyManaged: ["default", "deviceStaging"],
    corporateOwnedWorkProfile: ["default", "deviceStaging"],
    corporateOwnedAOSPUserlessDevice: ["default"],
    corporateOwnedAOSPUserAssociatedDevice: ["default"],
};

export const AOSP_MODES: readonly string[] = ["corporateOwnedAOSPUserlessDevice", "corporateOwnedAOSPUserAssociatedDevice"];

const SECONDS_PER_DAY = 86_400;
export const NINETY_DAYS_SECONDS = 90 * SECONDS_PER_DAY;
export const SIXTY_FIVE_YEARS_SECONDS = 65 * 365 * SECONDS_PER_DAY;

/** How the token of a profile behaves: its format, the most validity createToken may ask, and whether it expires. */
export interface TokenRule {
    format: "digits20" | "upper8";
    maxValiditySeconds: number;
    /** Default fully-managed and work-profile tokens never expire; createToken's validity is ignored for them. */
    expires: boolean;
    defaultValiditySeconds: number;
}

export function tokenRuleFor(collection: CollectionName, mode: string | undefined, tokenType: string | undefined): TokenRule {
    if (collection === "androidForWorkEnrollmentProfiles") {
        return { format: "upper8", maxValiditySeconds: NINETY_DAYS_SECONDS, expires: true, defaultValiditySeconds: NINETY_DAYS_SECONDS };
    }
    if (mode !== undefined && AOSP_MODES.includes(mode)) {
        return { format: "digits20", maxValiditySeconds: NINETY_DAYS_SECONDS, expires: true, defaultValiditySeconds: NINETY_DAYS_SECONDS };
    }
    if (mode === "corporateOwnedDedicatedDevice") {
        return { format: "digits20", maxValiditySeconds: SIXTY_FIVE_YEARS_SECONDS, expires: true, defaultValiditySeconds: NINETY_DAYS_SECONDS };
    }
    if (tokenType === "deviceStaging") {
        return { format: "upper8", maxValiditySeconds: SIXTY_FIVE_YEARS_SECONDS, expires: true, defaultValiditySeconds: NINETY_DAYS_SECONDS };
    }
    return { format: "upper8", maxValiditySeconds: SIXTY_FIVE_YEARS_SECONDS, expires: false, defaultValiditySeconds: 0 };
}

export type CollectionName = "androidDeviceOwnerEnrollmentProfiles" | "androidForWorkEnrollmentProfiles";

export interface EmulatedProfileType {
    collection: CollectionName;
    odataType: string;
    /** Properties a client may send. */
    writable: readonly string[];
    /** Properties the server owns: ignored in a body (or rejected, by switch). */
    serverOwned: readonly string[];
    /** Writable at create only: a PATCH that changes them is refused. */
    createOnly: readonly string[];
    /** Returned as null unless named in $select. */
    selectOnly: readonly string[];
    /** Whether POST issues the first token (device-owner profiles do; legacy ones wait for createToken). */
    tokenOnCreate: boolean;
    /** Properties $filter may use. */
    filterable: readonly string[];
}

const COMMON_SERVER = [
    "id",
    "accountId",
    "createdDateTime",
    "lastModifiedDateTime",
    "tokenValue",
    "tokenExpirationDateTime",
    "enrolledDeviceCount",
    "qrCodeContent",
    "qrCodeImage",
];

export const PROFILE_TYPES: Record<CollectionName, EmulatedProfileType> = {
    androidDeviceOwnerEnrollmentProfiles: {
        collection: "androidDeviceOwnerEnrollmentProfiles",
        odataType: "#microsoft.graph.androidDeviceOwnerEnrollmentProfile",
        writable: [
            "displayName",
            "description",
            "enrollmentMode",
            "enrollmentTokenType",
            "roleScopeTagIds",
            "configureWifi",
            "wifiSsid",
            "wifiPassword",
            "wifiSecurityType",
            "wifiHidden",
            "isTeamsDeviceProfile",
            "deviceNameTemplate",
        ],
        serverOwned: [...COMMON_SERVER, "tokenCreationDateTime", "enrollmentTokenUsageCount"],
        createOnly: ["enrollmentMode", "enrollmentTokenType", "isTeamsDeviceProfile"],
        selectOnly: ["tokenValue", "qrCodeContent", "qrCodeImage"],
        tokenOnCreate: true,
        filterable: ["displayName", "enrollmentMode", "tokenExpirationDateTime", "id"],
    },
    androidForWorkEnrollmentProfiles: {
        collection: "androidForWorkEnrollmentProfiles",
        odataType: "#microsoft.graph.androidForWorkEnrollmentProfile",
        writable: ["displayName", "description"],
        serverOwned: COMMON_SERVER,
        createOnly: [],
        selectOnly: ["tokenValue", "qrCodeContent", "qrCodeImage"],
        tokenOnCreate: false,
        filterable: ["displayName", "tokenExpirationDateTime", "id"],
    },
};

export function isCollection(segment: string): segment is CollectionName {
    return Object.prototype.hasOwnProperty.call(PROFILE_TYPES, segment);
}

/** Property order of a full entity, as Graph serializes it. */
export function propertyOrder(type: EmulatedProfileType): string[] {
    const order = [
        "id",
        "accountId",
        "displayName",
        "description",
        "enrollmentMode",
        "enrollmentTokenType",
        "createdDateTime",
        "lastModifiedDateTime",
        "tokenValue",
        "tokenCreationDateTime",
        "tokenExpirationDateTime",
        "enrolledDeviceCount",
        "enrollmentTokenUsageCount",
        "qrCodeContent",
        "qrCodeImage",
        "roleScopeTagIds",
        "configureWifi",
        "wifiSsid",
        "wifiPassword",
        "wifiSecurityType",
        "wifiHidden",
        "isTeamsDeviceProfile",
        "deviceNameTemplate",
    ];
    const known = new Set([...type.writable, ...type.serverOwned]);
    return order.filter((p) => known.has(p));
}
