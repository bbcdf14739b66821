import * as pulumi from "@pulumi/pulumi";
import { EnrollmentProfileResource } from "../resource";
import { ProfileKind } from "../model";
import { ArgsOf, deriveProperties, InputsOf } from "../schema";
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
    collectionPath: "/deviceManagement/androidForWorkEnrollmentProfiles",
    odataType: "#microsoft.graph.androidForWorkEnrollmentProfile",
    ...deriveProperties(ANDROID_FOR_WORK_PROPERTIES),
    tokenRules: () => ({ issuedOnCreate: false, expires: true, maxValidityDays: 90, defaultValidityDays: 90, scope: "for Android for Work profiles" }),
    crossChecks: () => [],
    manageable: () => true,
    // Android Enterprise work profiles enroll through managed Google Play.
    enrollmentRequirements: () => ["managedGooglePlay"],
};

/** The resource's arguments, derived from the table: each shows its property's description on hover. */
export type AndroidForWorkEnrollmentProfileArgs = ArgsOf<typeof ANDROID_FOR_WORK_PROPERTIES>;

/** A legacy Android for Work enrollment profile with its enrollment token and QR code. */
export class AndroidForWorkEnrollmentProfile extends EnrollmentProfileResource {
    constructor(name: string, args: AndroidForWorkEnrollmentProfileArgs, opts?: pulumi.CustomResourceOptions) {
        super(androidForWorkKind, name, args, opts);
    }
}
