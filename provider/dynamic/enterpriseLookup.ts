import { programContext } from "./programContext";
import { AndroidEnterpriseSettingsResult, readEnterpriseSettings, settingsSummary } from "../enterprise/settings";

export { AndroidEnterpriseSettingsResult };

/**
 * The tenant's Android Enterprise settings, read from the Pulumi program with the same `intune:*` config as the
 * resources (Graph: GET …/androidManagedStoreAccountEnterpriseSettings; DeviceManagementConfiguration.Read.All).
 * The company codes the service also holds carry enrollment tokens and are not read.
 */
export async function getAndroidEnterpriseSettings(): Promise<AndroidEnterpriseSettingsResult> {
    const ctx = await programContext();
    const s = await readEnterpriseSettings(ctx.client, { description: "Looking up the tenant's Android Enterprise settings", kind: "read" });
    return settingsSummary(s);
}
