import * as pulumi from "@pulumi/pulumi";
import * as intune from "pulumi-intune-enrollment";

/**
 * The legacy `androidForWorkEnrollmentProfile` (the older COSU/dedicated flow some tenants still run). It has no
 * enrollment mode, scope tags or Wi-Fi; Graph creates it without a token, so the provider issues one right after
 * (createToken), valid for at most 90 days.
 */
const config = new pulumi.Config();

const legacy = new intune.AndroidForWorkEnrollmentProfile("legacy", {
    displayName: config.get("displayName") ?? "COSU legacy",
    description: "Legacy Android for Work dedicated devices",
    tokenValidityDays: 90,
    renewTokenWithinDays: 14,
    revokeTokenOnDelete: true,
});

export const profileId = legacy.profileId;
export const tokenExpirationDateTime = legacy.tokenExpirationDateTime;
export const qrCodeContent = legacy.qrCodeContent; // secret
// The picture, drawn from the content (the state keeps no image); secret, as the content is.
export const qrCodePng = legacy.qrCodeContent.apply((content) => (content ? intune.renderQrCode(content, "pngBase64") : null));

/** Read by examples/downstream-enrollment-sheet through a StackReference: one entry per profile. */
export const profiles = {
    legacy: {
        displayName: legacy.displayName,
        enrollmentMode: pulumi.output("androidForWork"),
        profileId: legacy.profileId,
        tokenValue: legacy.tokenValue,
        tokenExpirationDateTime: legacy.tokenExpirationDateTime,
        qrCodeContent: legacy.qrCodeContent,
    },
};
