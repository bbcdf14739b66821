import * as pulumi from "@pulumi/pulumi";
import * as intune from "pulumi-intune-enrollment";

/**
 * Bringing profiles that were made in the Intune portal under Pulumi without recreating them: recreating would
 * issue new tokens and so invalidate every QR code already printed and taped to a staging desk.
 *
 * `pulumi import` cannot do this: it only works for resources of a provider plugin with a Read by id, and these are
 * dynamic resources. Instead the resource's create takes the profile over:
 *   - adoptExistingId: the profile with this id (from the portal's URL, or Graph);
 *   - adoptByDisplayName: the one profile with the declared displayName (and enrollment mode).
 * The adopted profile must agree on the properties that force replacement (enrollmentMode, enrollmentTokenType,
 * isTeamsDeviceProfile); its other declared properties are brought in line, and its token is kept unless due.
 *
 * Against the embedded emulator there is no portal: `npm run seed` plays the admin and makes the profiles first.
 */
const config = new pulumi.Config();

// 1. By id. `pulumi config set frontDeskProfileId <id>` (npm run seed prints the command).
const frontDesk = new intune.AndroidDeviceOwnerEnrollmentProfile(
    "front-desk",
    {
        adoptExistingId: config.require("frontDeskProfileId"),
        displayName: "Front desk tablets",
        enrollmentMode: "corporateOwnedDedicatedDevice",
        // Declared now, applied to the adopted profile: the name template and the scope tags are PATCHed; the
        // current token is kept (devices' QR codes keep working) until it enters its last 14 days.
        deviceNameTemplate: "DESK-{{SERIALLAST4DIGITS}}",
        roleScopeTagIds: ["0"],
        tokenValidityDays: 90,
        renewTokenWithinDays: 14,
    },
    // Removing the resource (or `pulumi destroy`) leaves the profile in Intune, as it was before Pulumi managed it.
    { retainOnDelete: true },
);

// 2. By display name: fails if two profiles share it (then use adoptExistingId); creates it if there is none.
const legacy = new intune.AndroidForWorkEnrollmentProfile(
    "legacy",
    {
        adoptByDisplayName: true,
        displayName: "Legacy COSU (made in the portal)",
        tokenValidityDays: 90,
        renewTokenWithinDays: 14,
    },
    { retainOnDelete: true },
);

// 3. Read, not managed: another team owns this profile; this stack only needs its id and token expiry.
const sharedDevices = intune.getAndroidDeviceOwnerEnrollmentProfile({
    displayName: config.get("lookupDisplayName") ?? "Shared devices (Entra shared mode)",
});

export const frontDeskProfileId = frontDesk.profileId;
export const frontDeskTokenExpiration = frontDesk.tokenExpirationDateTime;
export const legacyProfileId = legacy.profileId;
export const legacyTokenExpiration = legacy.tokenExpirationDateTime;
export const sharedDevicesProfileId = sharedDevices.then((p) => p.profileId);
export const sharedDevicesTokenExpiration = sharedDevices.then((p) => p.properties.tokenExpirationDateTime as string | null);
/** Secret, like every token and QR code the lookup returns. */
export const sharedDevicesQrCode = pulumi.output(sharedDevices).apply((p) => p.qrCodeContent);

/** Read by examples/downstream-enrollment-sheet through a StackReference: one entry per profile. */
export const profiles = {
    frontDesk: {
        displayName: frontDesk.displayName,
        enrollmentMode: frontDesk.enrollmentMode,
        profileId: frontDesk.profileId,
        tokenValue: frontDesk.tokenValue,
        tokenExpirationDateTime: frontDesk.tokenExpirationDateTime,
        qrCodeContent: frontDesk.qrCodeContent,
    },
    legacy: {
        displayName: legacy.displayName,
        enrollmentMode: pulumi.output("androidForWork"),
        profileId: legacy.profileId,
        tokenValue: legacy.tokenValue,
        tokenExpirationDateTime: legacy.tokenExpirationDateTime,
        qrCodeContent: legacy.qrCodeContent,
    },
};
