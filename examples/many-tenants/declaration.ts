import * as pulumi from "@pulumi/pulumi";
import * as intune from "pulumi-intune-enrollment";

/**
 * The one declaration every tenant gets: the enrollment profiles a managed-service provider rolls out to each
 * customer. It reads only its own stack's config, so the same code runs as `pulumi up` in one stack (index.ts), as
 * one CI job per tenant, or as N stacks at once (fleet.ts).
 */
export function declaration() {
    const config = new pulumi.Config();
    // What differs between customers is config, not code: the prefix of every display name, how many kiosk sites.
    const prefix = config.get("namePrefix") ?? "Managed";
    const kioskSites = config.getNumber("kioskSites") ?? 1;

    const kiosks = Array.from(
        { length: kioskSites },
        (_, i) =>
            new intune.AndroidDeviceOwnerEnrollmentProfile(`kiosk-${i + 1}`, {
                displayName: `${prefix} kiosk ${i + 1}`,
                enrollmentMode: "corporateOwnedDedicatedDevice",
                tokenValidityDays: 90,
                renewTokenWithinDays: 14,
                deviceNameTemplate: `KIOSK${i + 1}-{{SERIALLAST4DIGITS}}`,
            }),
    );
    const fullyManaged = new intune.AndroidDeviceOwnerEnrollmentProfile("fully-managed", {
        displayName: `${prefix} fully managed`,
        enrollmentMode: "corporateOwnedFullyManaged",
    });
    const workProfile = new intune.AndroidDeviceOwnerEnrollmentProfile("work-profile", {
        displayName: `${prefix} work profile`,
        enrollmentMode: "corporateOwnedWorkProfile",
        enrollmentTokenType: "deviceStaging",
        tokenValidityDays: 30,
        renewTokenWithinDays: 7,
    });
    const all = [...kiosks, fullyManaged, workProfile];
    return {
        /** The tenant each profile lives in: one stack, one tenant (the provider refuses to act in another). */
        tenantId: fullyManaged.tenantId,
        profileIds: all.map((p) => p.profileId),
        displayNames: all.map((p) => p.displayName),
    };
}
