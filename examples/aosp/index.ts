import * as pulumi from "@pulumi/pulumi";
import * as intune from "pulumi-intune-enrollment";

/**
 * Android Open Source Project devices (no Google Mobile Services: headsets, meeting-room panels, rugged scanners).
 * They enroll from a QR code that can also carry the Wi-Fi network to join during setup.
 *
 * The Wi-Fi password comes from a Pulumi secret, set once per stack:
 *   pulumi config set --secret wifiPassword
 * It stays encrypted in the stack's config and state, and it is inside the (secret) QR code content.
 * AOSP tokens are valid for at most 90 days; AOSP modes do not exist in the China (21Vianet) cloud.
 */
const config = new pulumi.Config();
const wifiSsid = config.get("wifiSsid") ?? "Contoso-Devices";
const wifiPassword = config.requireSecret("wifiPassword");
const wifiHidden = config.getBoolean("wifiHidden") ?? false;

const wifi = { wifiSsid, wifiSecurityType: "wpa" as const, wifiPassword, wifiHidden };

const userless = new intune.AndroidDeviceOwnerEnrollmentProfile("aosp-userless", {
    displayName: "AOSP meeting-room panels",
    description: "Shared AOSP devices without a user",
    enrollmentMode: "corporateOwnedAOSPUserlessDevice",
    tokenValidityDays: 90,
    renewTokenWithinDays: 14,
    ...wifi,
});

const userAssociated = new intune.AndroidDeviceOwnerEnrollmentProfile("aosp-user-associated", {
    displayName: "AOSP headsets (user-associated)",
    description: "AOSP devices signed in to by one user",
    enrollmentMode: "corporateOwnedAOSPUserAssociatedDevice",
    tokenValidityDays: 90,
    renewTokenWithinDays: 14,
    ...wifi,
});

export const profileIds = { userless: userless.profileId, userAssociated: userAssociated.profileId };
export const tokenExpirations = { userless: userless.tokenExpirationDateTime, userAssociated: userAssociated.tokenExpirationDateTime };
/** The QR contents embed the enrollment token and the Wi-Fi password: secret. */
export const qrCodeContents = { userless: userless.qrCodeContent, userAssociated: userAssociated.qrCodeContent };

/** Read by examples/downstream-enrollment-sheet through a StackReference: one entry per profile. */
export const profiles = Object.fromEntries(
    Object.entries({ userless, userAssociated }).map(([key, p]) => [
        key,
        {
            displayName: p.displayName,
            enrollmentMode: p.enrollmentMode,
            profileId: p.profileId,
            tokenValue: p.tokenValue,
            tokenExpirationDateTime: p.tokenExpirationDateTime,
            qrCodeContent: p.qrCodeContent,
        },
    ]),
);
