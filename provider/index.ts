/**
 * pulumi-intune-enrollment: Microsoft Intune Android enrollment profiles as Pulumi resources.
 *
 *   import * as intune from "pulumi-intune-enrollment";
 *   const kiosk = new intune.AndroidDeviceOwnerEnrollmentProfile("kiosk", { displayName: "Warehouse scanners",
 *       enrollmentMode: "corporateOwnedDedicatedDevice", tokenValidityDays: 90, renewTokenWithinDays: 14 });
 */
import { androidDeviceOwnerKind } from "./profiles/kinds/androidDeviceOwner";
import { androidForWorkKind } from "./profiles/kinds/androidForWork";
import { dynamicProvider } from "./dynamic/providers";
import { ENROLLMENT_SETTINGS_NAME } from "./enterprise/names";

export { AndroidDeviceOwnerEnrollmentProfile, AndroidDeviceOwnerEnrollmentProfileArgs } from "./dynamic/androidDeviceOwner";
export { EnrollmentMode, EnrollmentTokenType } from "./profiles/kinds/androidDeviceOwner";
export { AndroidForWorkEnrollmentProfile, AndroidForWorkEnrollmentProfileArgs } from "./dynamic/androidForWork";
export { getAndroidDeviceOwnerEnrollmentProfile, getAndroidForWorkEnrollmentProfile, ProfileLookupArgs, ProfileLookupResult } from "./dynamic/profileLookups";
export { AndroidEnterpriseEnrollmentSettings, AndroidEnterpriseEnrollmentSettingsArgs } from "./dynamic/enrollmentSettings";
export { getAndroidEnterpriseSettings, AndroidEnterpriseSettingsResult } from "./dynamic/enterpriseLookup";
export { INTUNE_PROVISIONING_CLIENT_APP_ID, MembershipTargetReport } from "./profiles/grouping";
export { GraphRequestError } from "./graph/errors";
export { SETTING_KEYS, SettingsError } from "./runtime/settings";
export { CLOUDS } from "./graph/clouds";
export { renderQrCode, QrCodeFormat, QrCodeOptions } from "./qrCode";

/**
 * Each type's dynamic provider, the object the engine's host gets from the resource's `__provider` text: for
 * driving the lifecycle directly (advanced use and tests).
 */
export const providers = {
    androidDeviceOwnerEnrollmentProfile: dynamicProvider(androidDeviceOwnerKind.name),
    androidForWorkEnrollmentProfile: dynamicProvider(androidForWorkKind.name),
    androidEnterpriseEnrollmentSettings: dynamicProvider(ENROLLMENT_SETTINGS_NAME),
};
