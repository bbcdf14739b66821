import * as t from "io-ts";
import * as pulumi from "@pulumi/pulumi";
import { dynamicProvider } from "../provider";
import { EnrollmentProfileResource } from "../resource";
import { enrollmentTimeGrouping, GroupId, MembershipTargetReport } from "../grouping";
import { CheckFailure, CommonEntity, NonEmptyString, nullable, ProfileKind, Props, ProviderControls, TokenRules, UNKNOWN } from "../model";

/**
 * androidDeviceOwnerEnrollmentProfile: dedicated, fully managed, corporate-owned work profile and the two AOSP
 * modes. Everything specific to this type is here, as data; the shared lifecycle does the rest.
 */

export const EnrollmentMode = t.keyof(
    {
        corporateOwnedDedicatedDevice: null,
        corporateOwnedFullyManaged: null,
        corporateOwnedWorkProfile: null,
        corporateOwnedAOSPUserlessDevice: null,
        corporateOwnedAOSPUserAssociatedDevice: null,
    },
    "one of corporateOwnedDedicatedDevice, corporateOwnedFullyManaged, corporateOwnedWorkProfile, corporateOwnedAOSPUserlessDevice, corporateOwnedAOSPUserAssociatedDevice",
);
export type EnrollmentMode = t.TypeOf<typeof EnrollmentMode>;

export const EnrollmentTokenType = t.keyof(
    { default: null, corporateOwnedDedicatedDeviceWithAzureADSharedMode: null, deviceStaging: null },
    "one of default, corporateOwnedDedicatedDeviceWithAzureADSharedMode, deviceStaging",
);
export type EnrollmentTokenType = t.TypeOf<typeof EnrollmentTokenType>;

export const WifiSecurityType = t.keyof({ none: null, wpa: null, wep: null }, "one of none, wpa, wep");

const AOSP_MODES: readonly EnrollmentMode[] = ["corporateOwnedAOSPUserlessDevice", "corporateOwnedAOSPUserAssociatedDevice"];
export const isAosp = (mode: unknown): boolean => AOSP_MODES.includes(mode as EnrollmentMode);

/** Token types each mode allows (Graph refuses other pairs). */
const TOKEN_TYPES_BY_MODE: Record<EnrollmentMode, readonly EnrollmentTokenType[]> = {
    corporateOwnedDedicatedDevice: ["default", "corporateOwnedDedicatedDeviceWithAzureADSharedMode"],
    corporateOwnedFullyManaged: ["default", "deviceStaging"],
    corporateOwnedWorkProfile: ["default", "deviceStaging"],
    corporateOwnedAOSPUserlessDevice: ["default"],
    corporateOwnedAOSPUserAssociatedDevice: ["default"],
};

const MAX_DEVICE_NAME_TEMPLATE = 63;
const WIFI_FIELDS = ["wifiSsid", "wifiPassword", "wifiSecurityType", "wifiHidden"] as const;

export const AndroidDeviceOwnerInputs = t.intersection([
    t.type({ displayName: NonEmptyString, enrollmentMode: EnrollmentMode }),
    t.partial({
        enrollmentTokenType: EnrollmentTokenType,
        roleScopeTagIds: t.array(t.string, "a list of scope tag ids (strings)"),
        configureWifi: t.boolean,
        wifiSsid: t.string,
        wifiPassword: t.string,
        wifiSecurityType: WifiSecurityType,
        wifiHidden: t.boolean,
        isTeamsDeviceProfile: t.boolean,
        deviceNameTemplate: t.string,
        /** Every device enrolled with the profile joins this static Entra ID security group during setup. */
        enrollmentTimeDeviceGroupId: GroupId,
    }),
    ProviderControls,
]);
export type AndroidDeviceOwnerInputs = t.TypeOf<typeof AndroidDeviceOwnerInputs>;

export const AndroidDeviceOwnerEntity = t.intersection([
    CommonEntity,
    t.partial({
        // Built-in profiles carry an undocumented mode (5), as a number or a string: tolerated, then skipped.
        enrollmentMode: nullable(t.union([t.string, t.number])),
        enrollmentTokenType: nullable(t.union([t.string, t.number])),
        tokenCreationDateTime: nullable(t.string),
        enrollmentTokenUsageCount: nullable(t.number),
        roleScopeTagIds: nullable(t.array(t.string)),
        configureWifi: nullable(t.boolean),
        wifiSsid: nullable(t.string),
        wifiPassword: nullable(t.string),
        wifiSecurityType: nullable(t.union([t.string, t.number])),
        wifiHidden: nullable(t.boolean),
        isTeamsDeviceProfile: nullable(t.boolean),
        deviceNameTemplate: nullable(t.string),
    }),
]);
export type AndroidDeviceOwnerEntity = t.TypeOf<typeof AndroidDeviceOwnerEntity>;

const DAY = 1;
function tokenRules(inputs: Props): TokenRules {
    const mode = inputs.enrollmentMode;
    const tokenType = (inputs.enrollmentTokenType ?? "default") as EnrollmentTokenType;
    if (isAosp(mode)) return { issuedOnCreate: true, expires: true, maxValidityDays: 90 * DAY, scope: "for AOSP enrollment modes" };
    if (mode === "corporateOwnedDedicatedDevice") return { issuedOnCreate: true, expires: true, maxValidityDays: 65 * 365 * DAY, scope: "for dedicated devices" };
    if (tokenType === "deviceStaging") return { issuedOnCreate: true, expires: true, maxValidityDays: 65 * 365 * DAY, scope: "for device-staging tokens" };
    return { issuedOnCreate: true, expires: false, maxValidityDays: 0, scope: `for ${mode} with the default token type, whose tokens never expire` };
}

function crossChecks(inputs: Props, settings: { cloud: { name: string; supportsAosp: boolean } } | undefined): CheckFailure[] {
    const failures: CheckFailure[] = [];
    // Unknown enum values are reported by the codec; rules across fields only judge known ones.
    const mode = EnrollmentMode.is(inputs.enrollmentMode) ? inputs.enrollmentMode : undefined;
    const tokenType = EnrollmentTokenType.is(inputs.enrollmentTokenType) ? inputs.enrollmentTokenType : undefined;
    if (mode && tokenType && !TOKEN_TYPES_BY_MODE[mode].includes(tokenType)) {
        failures.push({ property: "enrollmentTokenType", reason: `"${tokenType}" is not allowed for enrollmentMode ${mode}; allowed: ${TOKEN_TYPES_BY_MODE[mode].join(", ")}` });
    }
    if (mode && !isAosp(mode)) {
        for (const f of [...WIFI_FIELDS, "configureWifi"] as const) {
            if (inputs[f] !== undefined) failures.push({ property: f, reason: `Wi-Fi settings apply only to AOSP enrollment modes (corporateOwnedAOSPUserlessDevice, corporateOwnedAOSPUserAssociatedDevice), not ${mode}` });
        }
        if (inputs.isTeamsDeviceProfile === true) {
            failures.push({ property: "isTeamsDeviceProfile", reason: `Teams device profiles are AOSP profiles; not allowed for ${mode}` });
        }
    }
    if (mode && isAosp(mode)) {
        const wifiConfigured = inputs.configureWifi === true || (inputs.configureWifi !== false && WIFI_FIELDS.some((f) => inputs[f] !== undefined));
        if (wifiConfigured && inputs.wifiSsid !== UNKNOWN && (typeof inputs.wifiSsid !== "string" || inputs.wifiSsid.trim() === "")) {
            failures.push({
                property: "wifiSsid",
                reason: "is required when Wi-Fi is configured (configureWifi is true, or wifiPassword, wifiSecurityType or wifiHidden is set): name the network devices join during setup, or set configureWifi to false",
            });
        }
        if (inputs.wifiSecurityType === "none" && inputs.wifiPassword) {
            failures.push({ property: "wifiPassword", reason: 'must not be set when wifiSecurityType is "none"' });
        }
        if ((inputs.wifiSecurityType === "wpa" || inputs.wifiSecurityType === "wep") && inputs.configureWifi !== false && !inputs.wifiPassword) {
            failures.push({ property: "wifiPassword", reason: `is required when wifiSecurityType is "${String(inputs.wifiSecurityType)}"` });
        }
        if (settings && !settings.cloud.supportsAosp) {
            failures.push({ property: "enrollmentMode", reason: `AOSP enrollment modes are not available in the ${settings.cloud.name} cloud (21Vianet); use a Google Mobile Services mode` });
        }
    }
    if (typeof inputs.deviceNameTemplate === "string" && inputs.deviceNameTemplate.length > MAX_DEVICE_NAME_TEMPLATE) {
        failures.push({ property: "deviceNameTemplate", reason: `must be at most ${MAX_DEVICE_NAME_TEMPLATE} characters (it has ${inputs.deviceNameTemplate.length})` });
    }
    return failures;
}

const SERVER_OUTPUTS = [
    "accountId", "tokenValue", "tokenCreationDateTime", "tokenExpirationDateTime", "qrCodeContent", "qrCodeImage",
    "enrolledDeviceCount", "enrollmentTokenUsageCount", "createdDateTime", "lastModifiedDateTime",
] as const;

export const androidDeviceOwnerKind: ProfileKind = {
    name: "androidDeviceOwnerEnrollmentProfile",
    typeName: "AndroidDeviceOwnerEnrollmentProfile",
    label: "Android enrollment profile",
    collectionPath: "/deviceManagement/androidDeviceOwnerEnrollmentProfiles",
    odataType: "#microsoft.graph.androidDeviceOwnerEnrollmentProfile",
    inputs: AndroidDeviceOwnerInputs as unknown as t.Type<Props, Props, unknown>,
    entity: AndroidDeviceOwnerEntity as unknown as t.Type<Props, Props, unknown>,
    writable: [
        "displayName", "description", "enrollmentMode", "enrollmentTokenType", "roleScopeTagIds", "configureWifi", "wifiSsid",
        "wifiPassword", "wifiSecurityType", "wifiHidden", "isTeamsDeviceProfile", "deviceNameTemplate",
    ],
    replaceOnChange: ["enrollmentMode", "enrollmentTokenType", "isTeamsDeviceProfile"],
    serverOutputs: SERVER_OUTPUTS,
    secrets: ["tokenValue", "qrCodeContent", "qrCodeImage", "wifiPassword"],
    select: [
        "id", "accountId", "displayName", "description", "enrollmentMode", "enrollmentTokenType", "createdDateTime", "lastModifiedDateTime",
        "tokenValue", "tokenCreationDateTime", "tokenExpirationDateTime", "enrolledDeviceCount", "enrollmentTokenUsageCount",
        "qrCodeContent", "qrCodeImage", "roleScopeTagIds", "configureWifi", "wifiSsid", "wifiSecurityType", "wifiHidden",
        "isTeamsDeviceProfile", "deviceNameTemplate",
    ],
    writeOnly: ["wifiPassword"],
    tokenRules,
    crossChecks,
    manageable: (entity) => EnrollmentMode.is(entity.enrollmentMode),
    clearedValues: {
        description: null, enrollmentTokenType: "default", roleScopeTagIds: ["0"], configureWifi: true, wifiSsid: null, wifiPassword: null,
        wifiSecurityType: "none", wifiHidden: false, isTeamsDeviceProfile: false, deviceNameTemplate: null,
    },
    attachments: [enrollmentTimeGrouping],
};

/** The resource's arguments, derived from the codec: one source of truth for names, types and enums. */
export type AndroidDeviceOwnerEnrollmentProfileArgs = { [K in keyof AndroidDeviceOwnerInputs]: pulumi.Input<AndroidDeviceOwnerInputs[K]> };

/** The provider singleton: one per type, so Pulumi serializes it once per run. */
export const androidDeviceOwnerEnrollmentProfileProvider = dynamicProvider(androidDeviceOwnerKind.name);

/**
 * An Android Enterprise device-owner enrollment profile (dedicated, fully managed, corporate-owned work profile,
 * AOSP userless or user-associated) with its enrollment token and QR code.
 */
export class AndroidDeviceOwnerEnrollmentProfile extends EnrollmentProfileResource {
    declare readonly enrollmentMode: pulumi.Output<EnrollmentMode>;
    declare readonly enrollmentTokenType: pulumi.Output<EnrollmentTokenType | undefined>;
    declare readonly tokenCreationDateTime: pulumi.Output<string | null>;
    declare readonly enrollmentTokenUsageCount: pulumi.Output<number | null>;
    declare readonly roleScopeTagIds: pulumi.Output<string[] | undefined>;
    declare readonly wifiPassword: pulumi.Output<string | undefined>;
    declare readonly enrollmentTimeDeviceGroupId: pulumi.Output<string | undefined>;
    /** The enrollment-time group as Intune last reported it (null: none), with the result of its validation. */
    declare readonly enrollmentTimeDeviceMembershipTarget: pulumi.Output<MembershipTargetReport | null>;

    constructor(name: string, args: AndroidDeviceOwnerEnrollmentProfileArgs, opts?: pulumi.CustomResourceOptions) {
        super(androidDeviceOwnerKind, androidDeviceOwnerEnrollmentProfileProvider, name, args, opts);
    }
}
