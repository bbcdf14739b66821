import { ProfileKind } from "../kind";
import { deriveProperties, InputsOf } from "../properties";
import { COMMON_PROPERTIES } from "./common";

/**
 * androidForWorkEnrollmentProfile: the legacy Android for Work profile. No mode, scope tags or Wi-Fi; a new
 * profile may have no token until createToken, whose validity is at most 90 days.
 */

/** The properties of androidForWorkEnrollmentProfile: the common ones, nothing more. */
export const ANDROID_FOR_WORK_PROPERTIES = { ...COMMON_PROPERTIES };

export type AndroidForWorkInputs = InputsOf<typeof ANDROID_FOR_WORK_PROPERTIES>;

export const androidForWorkKind: ProfileKind = {
    name: "androidForWorkEnrollmentProfile",
    typeName: "AndroidForWorkEnrollmentProfile",
    label: "Android for Work enrollment profile",
    description: "A legacy Android for Work enrollment profile with its enrollment token and QR code.",
    collectionPath: "/deviceManagement/androidForWorkEnrollmentProfiles",
    odataType: "#microsoft.graph.androidForWorkEnrollmentProfile",
    ...deriveProperties(ANDROID_FOR_WORK_PROPERTIES),
    tokenRules: () => ({ issuedOnCreate: false, expires: true, maxValidityDays: 90, defaultValidityDays: 90, scope: "for Android for Work profiles" }),
    crossChecks: () => [],
    manageable: () => true,
    // Android Enterprise work profiles enroll through managed Google Play.
    enrollmentRequirements: () => ["managedGooglePlay"],
};
