import * as pulumi from "@pulumi/pulumi";
import * as intune from "pulumi-intune-enrollment";

/**
 * A dedicated (kiosk) device profile: warehouse scanners that enroll from a QR code printed on the staging desk.
 *
 * Against the embedded Graph emulator with `pulumi config set intune:emulator true`; set intune:tenantId /
 * intune:clientId and a credential (see docs/installation-configuration.md) to deploy to a real tenant.
 */
const config = new pulumi.Config();
const displayName = config.get("displayName") ?? "Warehouse scanners";
// Ids of Intune scope tags ("0" is Default), e.g. `pulumi config set --path 'scopeTagIds[0]' 12`.
const scopeTagIds = (config.getObject<(string | number)[]>("scopeTagIds") ?? ["0"]).map(String);

const kiosk = new intune.AndroidDeviceOwnerEnrollmentProfile("kiosk", {
    displayName,
    description: "Dedicated devices: one app, locked down, no user sign-in",
    enrollmentMode: "corporateOwnedDedicatedDevice",
    // Every issued token is valid for 90 days; a `pulumi up` in the last 14 days of its life issues a new one
    // (the pipeline's scheduled run does that). Devices already enrolled are not affected by a new token.
    tokenValidityDays: 90,
    renewTokenWithinDays: 14,
    roleScopeTagIds: scopeTagIds,
    // Intune expands the placeholders when a device enrolls; at most 63 characters.
    deviceNameTemplate: "SCAN-{{SERIALLAST4DIGITS}}",
    // One profile: its image may live in state (about 16 KB), so `qrCodePng` below is an output like any other.
    // A fleet leaves it out and draws it from qrCodeContent with intune.renderQrCode where it is needed.
    includeQrCodeImage: true,
});

export const profileId = kiosk.profileId;
export const tokenExpirationDateTime = kiosk.tokenExpirationDateTime;
/** What the QR code encodes: the provisioning JSON with the enrollment token. Secret. */
export const qrCodeContent = kiosk.qrCodeContent;
/** The QR code as a base64 PNG (write it out with `pulumi stack output qrCodePng --show-secrets | base64 -d`). Secret. */
export const qrCodePng = kiosk.qrCodeImage;
/** The enrollment token itself, for devices that type it in. Secret. */
export const tokenValue = kiosk.tokenValue;

/** Read by examples/downstream-enrollment-sheet through a StackReference: one entry per profile. */
export const profiles = {
    kiosk: {
        displayName: kiosk.displayName,
        enrollmentMode: kiosk.enrollmentMode,
        profileId: kiosk.profileId,
        tokenValue: kiosk.tokenValue,
        tokenExpirationDateTime: kiosk.tokenExpirationDateTime,
        qrCodeContent: kiosk.qrCodeContent,
        qrCodeImage: kiosk.qrCodeImage,
    },
};
