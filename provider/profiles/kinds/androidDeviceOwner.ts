import * as t from "io-ts";
import { enrollmentTimeGrouping, GroupId } from "../grouping";
import { Count, enumOnTheWire, Props, StringsSkippingNulls, UNKNOWN } from "../model";
import { CheckFailure, ProfileKind, TokenRules } from "../kind";
import type { EnrollmentRequirement } from "../kind";
import { deriveProperties, InputsOf, property } from "../properties";
import { COMMON_PROPERTIES } from "./common";

/**
 * androidDeviceOwnerEnrollmentProfile: dedicated, fully managed, corporate-owned work profile and the two AOSP
 * modes. Everything specific to this type is here: its property table, its token rules and the rules across its
 * properties; the shared lifecycle does the rest.
 */

// Each enum's members in the order of their integers on the wire (graph-api.md §1).
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

const HEX = /^[0-9A-Fa-f]+$/;
/** The keys a Wi-Fi network takes, by security type: no device could join with any other, so the QR code would fail. */
const WIFI_KEY_RULES = new Map<string, { fits: (key: string) => boolean; reason: string }>([
    [
        "wpa",
        {
            fits: (k) => (k.length >= 8 && k.length <= 63) || (k.length === 64 && HEX.test(k)),
            reason: 'must be a WPA passphrase of 8 to 63 characters (or a key of 64 hexadecimal digits) when wifiSecurityType is "wpa"',
        },
    ],
    [
        "wep",
        {
            fits: (k) => k.length === 5 || k.length === 13 || ((k.length === 10 || k.length === 26) && HEX.test(k)),
            reason: 'must be a WEP key of 5 or 13 characters, or of 10 or 26 hexadecimal digits, when wifiSecurityType is "wep"',
        },
    ],
]);

/** The properties of androidDeviceOwnerEnrollmentProfile: the one place each is described. */
export const ANDROID_DEVICE_OWNER_PROPERTIES = {
    ...COMMON_PROPERTIES,
    /** Dedicated, fully managed, corporate-owned work profile, or AOSP userless or user-associated devices. */
    enrollmentMode: property({
        input: EnrollmentMode,
        required: true,
        // Built-in profiles carry an undocumented mode (5), as a number or a string: tolerated, then skipped.
        entity: enumOnTheWire(Object.keys(EnrollmentMode.keys)),
        writable: true,
        replaceOnChange: true,
        decidesTokenRules: true,
        docs: { onChange: "**replaces**", notes: "AOSP modes not in the China cloud" },
    }),
    /** The token's type: `default`, shared device mode for dedicated devices, or device staging (fully managed and work profile). */
    enrollmentTokenType: property({
        input: EnrollmentTokenType,
        entity: enumOnTheWire(Object.keys(EnrollmentTokenType.keys)),
        writable: true,
        replaceOnChange: true,
        cleared: { value: "default" },
        decidesTokenRules: true,
        docs: { onChange: "**replaces**", notes: "default: `default`" },
    }),
    /** A Teams device profile (AOSP). */
    isTeamsDeviceProfile: property({
        input: t.boolean,
        entity: t.boolean,
        writable: true,
        replaceOnChange: true,
        cleared: { value: false },
        docs: { onChange: "**replaces**", notes: "AOSP modes only" },
    }),
    /** Intune scope tags that may see and manage the profile; Intune's default tag is "0". */
    roleScopeTagIds: property({
        // Not empty: Intune gives a profile without tags its default tag "0", so [] would never read back as declared
        // and every run would PATCH it again.
        input: t.refinement(t.array(t.string), (tags) => tags.length > 0, 'a non-empty list of scope tag ids (strings), such as ["0"], the default tag'),
        entity: StringsSkippingNulls,
        writable: true,
        cleared: { value: ["0"] },
        compare: "unorderedSet",
        docs: { type: "string[]", onChange: "in place", notes: 'default `["0"]`; not empty; order does not matter' },
    }),
    /** How enrolled devices are named, with tokens such as {{SERIAL}} and {{SERIALLAST4DIGITS}}; at most 63 characters. */
    deviceNameTemplate: property({
        input: t.string,
        entity: t.string,
        writable: true,
        cleared: { value: null },
        docs: { type: "string, at most 63 characters", onChange: "in place" },
    }),
    /** Whether AOSP devices join the Wi-Fi network below during setup. */
    configureWifi: property({
        input: t.boolean,
        entity: t.boolean,
        writable: true,
        cleared: { value: true },
        docs: { type: "boolean", onChange: "in place", notes: "AOSP modes only" },
    }),
    /** The Wi-Fi network AOSP devices join during setup. */
    wifiSsid: property({
        input: t.string,
        entity: t.string,
        writable: true,
        cleared: { value: null },
        docs: { type: "string", onChange: "in place", notes: "AOSP only; required once Wi-Fi is configured" },
    }),
    /** The Wi-Fi password (secret; Graph never returns it, so a change made in the portal cannot be seen). */
    wifiPassword: property({
        input: t.string,
        entity: t.string,
        writable: true,
        secret: true,
        writeOnly: true,
        cleared: { value: null },
        docs: { type: "string (secret)", onChange: "in place" },
    }),
    /** The Wi-Fi network's security: none, wpa or wep. */
    wifiSecurityType: property({
        input: WifiSecurityType,
        entity: enumOnTheWire(Object.keys(WifiSecurityType.keys)),
        writable: true,
        cleared: { value: "none" },
        docs: { onChange: "in place", notes: "AOSP only" },
    }),
    /** Whether the Wi-Fi network is hidden. */
    wifiHidden: property({
        input: t.boolean,
        entity: t.boolean,
        writable: true,
        cleared: { value: false },
        docs: { type: "boolean", onChange: "in place", notes: "AOSP only" },
    }),
    /** When the current token was issued. */
    tokenCreationDateTime: property({ entity: t.string, output: true }),
    /** How many devices enrolled with the current token (AOSP). */
    enrollmentTokenUsageCount: property({ entity: Count, output: true }),
    /**
     * A static Entra ID security group every device enrolled with the profile joins during setup (enrollment-time
     * grouping); the Intune Provisioning Client service principal must own it.
     */
    enrollmentTimeDeviceGroupId: property({
        input: GroupId,
        // A GUID: Intune may report the declared group in another letter case, which is the same group.
        compare: "caseInsensitive",
        docs: {
            type: "Entra ID group object id (GUID)",
            onChange: "in place",
            notes: "see [Enrollment-time grouping](#enrollment-time-grouping); removed from the program: cleared",
        },
    }),
};

export type AndroidDeviceOwnerInputs = InputsOf<typeof ANDROID_DEVICE_OWNER_PROPERTIES>;

function tokenRules(inputs: Props): TokenRules {
    const mode = inputs.enrollmentMode;
    const tokenType = (inputs.enrollmentTokenType ?? "default") as EnrollmentTokenType;
    if (isAosp(mode)) return { issuedOnCreate: true, expires: true, maxValidityDays: 90, scope: "for AOSP enrollment modes" };
    if (mode === "corporateOwnedDedicatedDevice") return { issuedOnCreate: true, expires: true, maxValidityDays: 65 * 365, scope: "for dedicated devices" };
    if (tokenType === "deviceStaging") return { issuedOnCreate: true, expires: true, maxValidityDays: 65 * 365, scope: "for device-staging tokens" };
    return { issuedOnCreate: true, expires: false, maxValidityDays: 0, scope: `for ${mode} with the default token type, whose tokens never expire` };
}

function crossChecks(inputs: Props, settings: { cloud: { name: string; supportsAosp: boolean } } | undefined): CheckFailure[] {
    const failures: CheckFailure[] = [];
    // Unknown enum values are reported by the codec; rules across fields only judge known ones.
    const mode = EnrollmentMode.is(inputs.enrollmentMode) ? inputs.enrollmentMode : undefined;
    const tokenType = EnrollmentTokenType.is(inputs.enrollmentTokenType) ? inputs.enrollmentTokenType : undefined;
    if (mode && tokenType && !TOKEN_TYPES_BY_MODE[mode].includes(tokenType)) {
        failures.push({
            property: "enrollmentTokenType",
            reason: `"${tokenType}" is not allowed for enrollmentMode ${mode}; allowed: ${TOKEN_TYPES_BY_MODE[mode].join(", ")}`,
        });
    }
    if (mode && !isAosp(mode)) {
        for (const f of [...WIFI_FIELDS, "configureWifi"] as const) {
            if (inputs[f] !== undefined)
                failures.push({
                    property: f,
                    reason: `Wi-Fi settings apply only to AOSP enrollment modes (corporateOwnedAOSPUserlessDevice, corporateOwnedAOSPUserAssociatedDevice), not ${mode}`,
                });
        }
        if (inputs.isTeamsDeviceProfile === true) {
            failures.push({ property: "isTeamsDeviceProfile", reason: `Teams device profiles are AOSP profiles; not allowed for ${mode}` });
        }
    }
    if (mode && isAosp(mode)) {
        // configureWifi still unknown (a preview) may turn out false: the rules that depend on it wait for it.
        const wifiUnknown = inputs.configureWifi === UNKNOWN;
        const wifiConfigured =
            !wifiUnknown && (inputs.configureWifi === true || (inputs.configureWifi !== false && WIFI_FIELDS.some((f) => inputs[f] !== undefined)));
        if (wifiConfigured && inputs.wifiSsid !== UNKNOWN && (typeof inputs.wifiSsid !== "string" || inputs.wifiSsid.trim() === "")) {
            failures.push({
                property: "wifiSsid",
                reason: "is required when Wi-Fi is configured (configureWifi is true, or wifiPassword, wifiSecurityType or wifiHidden is set): name the network devices join during setup, or set configureWifi to false",
            });
        }
        if (inputs.wifiSecurityType === "none" && inputs.wifiPassword && inputs.wifiPassword !== UNKNOWN) {
            failures.push({ property: "wifiPassword", reason: 'must not be set when wifiSecurityType is "none"' });
        }
        if (
            (inputs.wifiSecurityType === "wpa" || inputs.wifiSecurityType === "wep") &&
            inputs.configureWifi !== false &&
            !wifiUnknown &&
            !inputs.wifiPassword
        ) {
            failures.push({ property: "wifiPassword", reason: `is required when wifiSecurityType is "${String(inputs.wifiSecurityType)}"` });
        }
        // Only a key that goes into the QR code (Wi-Fi not switched off, or not yet known to be) is judged, by a
        // security type this code knows (a Map: an unknown one such as "constructor" names no rule). The rule names
        // lengths only: the password is secret.
        const key = inputs.wifiPassword;
        const keyRule = typeof inputs.wifiSecurityType === "string" ? WIFI_KEY_RULES.get(inputs.wifiSecurityType) : undefined;
        if (keyRule && inputs.configureWifi !== false && !wifiUnknown && typeof key === "string" && key !== UNKNOWN && key !== "" && !keyRule.fits(key))
            failures.push({ property: "wifiPassword", reason: keyRule.reason });
        if (settings && !settings.cloud.supportsAosp) {
            failures.push({
                property: "enrollmentMode",
                reason: `AOSP enrollment modes are not available in the ${settings.cloud.name} cloud (21Vianet); use a Google Mobile Services mode`,
            });
        }
    }
    if (typeof inputs.deviceNameTemplate === "string" && inputs.deviceNameTemplate.length > MAX_DEVICE_NAME_TEMPLATE) {
        failures.push({
            property: "deviceNameTemplate",
            reason: `must be at most ${MAX_DEVICE_NAME_TEMPLATE} characters (it has ${inputs.deviceNameTemplate.length})`,
        });
    }
    return failures;
}

/**
 * Every mode but AOSP enrolls through Google's services, so the tenant must be bound to managed Google Play; fully
 * managed and corporate-owned work profile devices are corporate-owned user devices, which the tenant must also allow.
 */
function enrollmentRequirements(inputs: Props): readonly EnrollmentRequirement[] {
    const mode = inputs.enrollmentMode;
    if (!EnrollmentMode.is(mode) || isAosp(mode)) return [];
    if (mode === "corporateOwnedFullyManaged" || mode === "corporateOwnedWorkProfile") return ["managedGooglePlay", "corporateOwnedUserEnrollment"];
    return ["managedGooglePlay"];
}

export const androidDeviceOwnerKind: ProfileKind = {
    name: "androidDeviceOwnerEnrollmentProfile",
    typeName: "AndroidDeviceOwnerEnrollmentProfile",
    label: "Android enrollment profile",
    description:
        "An Android Enterprise device-owner enrollment profile (dedicated, fully managed, corporate-owned work profile, AOSP userless or user-associated) with its enrollment token and QR code.",
    collectionPath: "/deviceManagement/androidDeviceOwnerEnrollmentProfiles",
    odataType: "#microsoft.graph.androidDeviceOwnerEnrollmentProfile",
    ...deriveProperties(ANDROID_DEVICE_OWNER_PROPERTIES),
    tokenRules,
    crossChecks,
    manageable: (entity) => EnrollmentMode.is(entity.enrollmentMode),
    enrollmentRequirements,
    attachments: [enrollmentTimeGrouping],
};
