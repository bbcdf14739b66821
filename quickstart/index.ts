import * as pulumi from "@pulumi/pulumi";
import * as intune from "pulumi-intune-enrollment";

// Settings (tenant, app, credential, cloud) come from `intune:*` stack config or AZURE_* variables; with none at
// all every operation fails, naming what to set (`intune:emulator: true` asks for the provider's embedded Graph
// emulator). `npm run demo` points it explicitly at a local emulator it starts.
const config = new pulumi.Config();
const wifiPassword = config.getSecret("wifiPassword") ?? pulumi.secret("quickstart-wifi-passphrase");
const prefix = config.get("namePrefix") ?? "Quickstart";

const dedicated = new intune.AndroidDeviceOwnerEnrollmentProfile("dedicated", {
    displayName: `${prefix} warehouse scanners`,
    description: "Dedicated (kiosk) devices",
    enrollmentMode: "corporateOwnedDedicatedDevice",
    tokenValidityDays: 90,
    renewTokenWithinDays: 14,
    roleScopeTagIds: ["0"],
    deviceNameTemplate: "SCAN-{{SERIALLAST4DIGITS}}",
});

const fullyManaged = new intune.AndroidDeviceOwnerEnrollmentProfile("fully-managed", {
    displayName: `${prefix} fully managed`,
    enrollmentMode: "corporateOwnedFullyManaged",
});

const workProfile = new intune.AndroidDeviceOwnerEnrollmentProfile("work-profile", {
    displayName: `${prefix} corporate-owned work profile`,
    enrollmentMode: "corporateOwnedWorkProfile",
    enrollmentTokenType: "deviceStaging",
    tokenValidityDays: 30,
});

const aospUserless = new intune.AndroidDeviceOwnerEnrollmentProfile("aosp-userless", {
    displayName: `${prefix} AOSP meeting-room devices`,
    enrollmentMode: "corporateOwnedAOSPUserlessDevice",
    tokenValidityDays: 90,
    renewTokenWithinDays: 14,
    wifiSsid: "Contoso-Devices",
    wifiSecurityType: "wpa",
    wifiPassword,
});

const aospUser = new intune.AndroidDeviceOwnerEnrollmentProfile("aosp-user-associated", {
    displayName: `${prefix} AOSP user-associated`,
    enrollmentMode: "corporateOwnedAOSPUserAssociatedDevice",
    tokenValidityDays: 60,
});

const legacy = new intune.AndroidForWorkEnrollmentProfile("legacy", {
    displayName: `${prefix} legacy Android for Work`,
    tokenValidityDays: 90,
});

const all = { dedicated, fullyManaged, workProfile, aospUserless, aospUser, legacy };

export const profileIds = pulumi.all(Object.fromEntries(Object.entries(all).map(([k, r]) => [k, r.profileId])));
export const tokenExpirations = pulumi.all(Object.fromEntries(Object.entries(all).map(([k, r]) => [k, r.tokenExpirationDateTime])));
// Secret: each embeds an enrollment token (and for AOSP the Wi-Fi password). The picture is drawn from it where it
// is needed (intune.renderQrCode), so the state keeps no image.
export const qrCodeContents = pulumi.all(Object.fromEntries(Object.entries(all).map(([k, r]) => [k, r.qrCodeContent])));
export const dedicatedToken = dedicated.tokenValue;
