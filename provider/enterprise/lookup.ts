import * as pulumi from "@pulumi/pulumi";
import { programSettings } from "../runtime/configuration";
import { profileContext } from "../profiles/crud";
import { isBound, readEnterpriseSettings } from "./settings";

/** What `getAndroidEnterpriseSettings` returns: whether the tenant is ready for Android Enterprise enrollment. */
export interface AndroidEnterpriseSettingsResult {
    /** The binding to managed Google Play: notBound, bound, boundAndValidated or unbinding (null: not reported). */
    bindStatus: string | null;
    /** Bound and usable: every enrollment mode but AOSP needs this. */
    boundToManagedGooglePlay: boolean;
    /** Corporate-owned user enrollment: what fully managed and corporate-owned work profile need. */
    fullyManagedEnrollmentEnabled: boolean | null;
    /** Which users may enroll personally-owned work profile devices: none, all, targeted, targetedAsEnrollmentRestrictions. */
    enrollmentTarget: string | null;
    /** The organisation and the account the managed Google Play binding belongs to. */
    ownerOrganizationName: string | null;
    ownerUserPrincipalName: string | null;
    /** When apps were last synchronised from managed Google Play, and how that went. */
    lastAppSyncDateTime: string | null;
    lastAppSyncStatus: string | null;
}

/**
 * The tenant's Android Enterprise settings, read from the Pulumi program with the same `intune:*` config as the
 * resources (Graph: GET …/androidManagedStoreAccountEnterpriseSettings; DeviceManagementConfiguration.Read.All).
 * The company codes the service also holds carry enrollment tokens and are not read.
 */
export async function getAndroidEnterpriseSettings(): Promise<AndroidEnterpriseSettingsResult> {
    const config = new pulumi.Config("intune");
    const ctx = profileContext(
        await programSettings({ get: (key) => config.get(key.replace(/^intune:/, "")), keys: () => Object.keys(pulumi.runtime.allConfig()) }),
    );
    const s = await readEnterpriseSettings(ctx.client, { description: "Looking up the tenant's Android Enterprise settings", kind: "read" });
    return {
        bindStatus: s.bindStatus ?? null,
        boundToManagedGooglePlay: isBound(s),
        fullyManagedEnrollmentEnabled: s.androidDeviceOwnerFullyManagedEnrollmentEnabled ?? null,
        enrollmentTarget: s.enrollmentTarget ?? null,
        ownerOrganizationName: s.ownerOrganizationName ?? null,
        ownerUserPrincipalName: s.ownerUserPrincipalName ?? null,
        lastAppSyncDateTime: s.lastAppSyncDateTime ?? null,
        lastAppSyncStatus: s.lastAppSyncStatus ?? null,
    };
}
