import * as azuread from "@pulumi/azuread";
import * as pulumi from "@pulumi/pulumi";
import * as intune from "pulumi-intune-enrollment";
import { enrolledWithAnyProfile, enrolledWithProfile } from "./rules";

/**
 * A kiosk fleet as an Intune team deploys it: per site, a dedicated-device enrollment profile and two Entra ID
 * groups to assign apps and configuration to.
 *
 * - A static security group that Intune fills at enrollment (enrollment-time grouping): owned by the Intune
 *   Provisioning Client service principal, as Intune requires, so what is assigned to it arrives during setup.
 * - A dynamic device group whose rule selects the devices enrolled with the profile, built from the profile's
 *   displayName output: renaming the profile changes the rule in the same run.
 *
 * Plus one dynamic group of every kiosk of the fleet, for fleet-wide policy. The groups need the azuread provider
 * (Group.ReadWrite.All, and Application.ReadWrite.All to register the service principal where it is missing).
 */
const config = new pulumi.Config();

interface Site {
    /** Short key: resource names and the device name prefix. */
    key: string;
    /** What admins and the portal call it. */
    name: string;
}
const sites = config.getObject<Site[]>("sites") ?? [
    { key: "whs", name: "Warehouse" },
    { key: "lobby", name: "Lobby" },
];
/** Prefix of every profile and group name, e.g. a company or region. */
const prefix = config.get("namePrefix") ?? "Contoso kiosks";
const scopeTagIds = (config.getObject<(string | number)[]>("scopeTagIds") ?? ["0"]).map(String);

// The identity running the deployment keeps ownership of the groups it creates, so later runs can change them.
const deployer = azuread.getClientConfigOutput();

// Intune's first-party app that adds devices to the group during enrollment. Most tenants have its service
// principal; `useExisting` adopts it where it exists and registers it where it does not.
const provisioningClient = new azuread.ServicePrincipal("intune-provisioning-client", {
    clientId: intune.INTUNE_PROVISIONING_CLIENT_APP_ID,
    useExisting: true,
});

const perSite = sites.map((site) => {
    const displayName = `${prefix} - ${site.name}`;

    const enrollmentGroup = new azuread.Group(`${site.key}-enrolled`, {
        displayName: `${displayName} (enrolled)`,
        description: `Devices enrolled with the "${displayName}" profile, added by Intune during setup`,
        securityEnabled: true,
        // Static (assigned) membership: Intune refuses dynamic groups for enrollment-time grouping.
        owners: [deployer.objectId, provisioningClient.objectId],
        preventDuplicateNames: true,
    });

    const profile = new intune.AndroidDeviceOwnerEnrollmentProfile(`${site.key}-kiosk`, {
        displayName,
        description: `Dedicated devices at ${site.name}`,
        enrollmentMode: "corporateOwnedDedicatedDevice",
        tokenValidityDays: 90,
        renewTokenWithinDays: 14,
        roleScopeTagIds: scopeTagIds,
        deviceNameTemplate: `${site.key.toUpperCase()}-{{SERIALLAST4DIGITS}}`,
        enrollmentTimeDeviceGroupId: enrollmentGroup.objectId,
    });

    const profileGroup = new azuread.Group(`${site.key}-by-profile`, {
        displayName: `${displayName} (by profile)`,
        description: `Devices whose enrollment profile is "${displayName}"; follows the profile's name`,
        securityEnabled: true,
        types: ["DynamicMembership"],
        dynamicMembership: { enabled: true, rule: profile.displayName.apply(enrolledWithProfile) },
        owners: [deployer.objectId],
        preventDuplicateNames: true,
    });

    return { site, profile, enrollmentGroup, profileGroup };
});

const fleetGroup = new azuread.Group("fleet", {
    displayName: `${prefix} - all sites`,
    description: "Every device enrolled with one of the fleet's kiosk profiles",
    securityEnabled: true,
    types: ["DynamicMembership"],
    dynamicMembership: { enabled: true, rule: pulumi.all(perSite.map((s) => s.profile.displayName)).apply(enrolledWithAnyProfile) },
    owners: [deployer.objectId],
    preventDuplicateNames: true,
});

/** Per site: the profile, the groups to assign apps and configuration to, and what Intune reports of the group. */
export const siteOutputs = Object.fromEntries(
    perSite.map(({ site, profile, enrollmentGroup, profileGroup }) => [
        site.key,
        {
            profileId: profile.profileId,
            displayName: profile.displayName,
            tokenExpirationDateTime: profile.tokenExpirationDateTime,
            enrollmentGroupId: enrollmentGroup.objectId,
            enrollmentTimeDeviceMembershipTarget: profile.enrollmentTimeDeviceMembershipTarget,
            profileGroupId: profileGroup.objectId,
            profileGroupRule: profileGroup.dynamicMembership.apply((m) => m?.rule),
        },
    ]),
);
export const fleetGroupId = fleetGroup.objectId;
export const fleetGroupRule = fleetGroup.dynamicMembership.apply((m) => m?.rule);
/** The QR codes to print for each site's staging desk. Secret. */
export const qrCodes = Object.fromEntries(
    perSite.map(({ site, profile }) => [site.key, profile.qrCodeContent.apply((content) => (content ? intune.renderQrCode(content, "pngBase64") : null))]),
);
