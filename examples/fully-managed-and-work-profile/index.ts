import * as pulumi from "@pulumi/pulumi";
import * as intune from "pulumi-intune-enrollment";

/**
 * Corporate-owned devices on Google Mobile Services, in the two modes a user signs in to:
 *  - fully managed: the whole device is the company's;
 *  - corporate-owned work profile (COPE): a work profile on a company device, with some personal use.
 *
 * A profile with the default token type gets a token that never expires, so it takes no validity or renewal
 * settings (check refuses them). A device-staging token is for devices an IT team or a partner prepares before a
 * user signs in; it expires, so it gets a validity and a renewal window.
 */
const config = new pulumi.Config();
const prefix = config.get("namePrefix") ?? "Contoso";
const stagingValidityDays = config.getNumber("stagingTokenValidityDays") ?? 30;

const fullyManaged = new intune.AndroidDeviceOwnerEnrollmentProfile("fully-managed", {
    displayName: `${prefix} fully managed`,
    description: "Company devices, one user each",
    enrollmentMode: "corporateOwnedFullyManaged",
});

const workProfile = new intune.AndroidDeviceOwnerEnrollmentProfile("work-profile", {
    displayName: `${prefix} corporate-owned work profile`,
    description: "Company devices with a personal side",
    enrollmentMode: "corporateOwnedWorkProfile",
});

const workProfileStaging = new intune.AndroidDeviceOwnerEnrollmentProfile("work-profile-staging", {
    displayName: `${prefix} corporate-owned work profile (staging)`,
    description: "Prepared by the device partner before hand-out; the user signs in afterwards",
    enrollmentMode: "corporateOwnedWorkProfile",
    // enrollmentTokenType forces replacement: changing it later makes a new profile (and a new QR code).
    enrollmentTokenType: "deviceStaging",
    tokenValidityDays: stagingValidityDays,
    renewTokenWithinDays: 7,
    // Destroying the stack revokes the token first, so a QR code that leaked cannot enroll a device.
    revokeTokenOnDelete: true,
});

const all = { fullyManaged, workProfile, workProfileStaging };

export const profileIds = pulumi.all(Object.fromEntries(Object.entries(all).map(([k, p]) => [k, p.profileId])));
/** 9999-12-31 for the default (non-expiring) tokens. */
export const tokenExpirations = pulumi.all(Object.fromEntries(Object.entries(all).map(([k, p]) => [k, p.tokenExpirationDateTime])));
export const stagingQrCodeContent = workProfileStaging.qrCodeContent; // secret

/** Read by examples/downstream-enrollment-sheet through a StackReference: one entry per profile. */
export const profiles = Object.fromEntries(
    Object.entries(all).map(([key, p]) => [
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
