/**
 * pulumi-intune-enrollment: Microsoft Intune Android enrollment profiles as Pulumi resources.
 *
 *   import * as intune from "pulumi-intune-enrollment";
 *   const kiosk = new intune.AndroidDeviceOwnerEnrollmentProfile("kiosk", { displayName: "Warehouse scanners",
 *       enrollmentMode: "corporateOwnedDedicatedDevice", tokenValidityDays: 90, renewTokenWithinDays: 14 });
 */
import { androidDeviceOwnerEnrollmentProfileProvider } from "./profiles/kinds/androidDeviceOwner";
import { androidForWorkEnrollmentProfileProvider } from "./profiles/kinds/androidForWork";

export {
    AndroidDeviceOwnerEnrollmentProfile,
    AndroidDeviceOwnerEnrollmentProfileArgs,
    EnrollmentMode,
    EnrollmentTokenType,
} from "./profiles/kinds/androidDeviceOwner";
export { AndroidForWorkEnrollmentProfile, AndroidForWorkEnrollmentProfileArgs } from "./profiles/kinds/androidForWork";
export { getAndroidDeviceOwnerEnrollmentProfile, getAndroidForWorkEnrollmentProfile, ProfileLookupArgs, ProfileLookupResult } from "./profiles/lookup";
export { INTUNE_PROVISIONING_CLIENT_APP_ID, MembershipTargetReport } from "./profiles/grouping";
export { GraphRequestError } from "./graph/errors";
export { SETTING_KEYS, SettingsError } from "./runtime/settings";
export { CLOUDS } from "./graph/clouds";

/** The dynamic provider singletons, for advanced use and tests. */
export const providers = {
    androidDeviceOwnerEnrollmentProfile: androidDeviceOwnerEnrollmentProfileProvider,
    androidForWorkEnrollmentProfile: androidForWorkEnrollmentProfileProvider,
};
