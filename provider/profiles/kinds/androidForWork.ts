import * as t from "io-ts";
import * as pulumi from "@pulumi/pulumi";
import { dynamicProvider } from "../provider";
import { EnrollmentProfileResource } from "../resource";
import { CommonEntity, NonEmptyString, ProfileKind, Props, ProviderControls } from "../model";

/**
 * androidForWorkEnrollmentProfile: the legacy Android for Work profile. No mode, scope tags or Wi-Fi; a new
 * profile may have no token until createToken, whose validity is at most 90 days.
 */

export const AndroidForWorkInputs = t.intersection([t.type({ displayName: NonEmptyString }), ProviderControls]);
export type AndroidForWorkInputs = t.TypeOf<typeof AndroidForWorkInputs>;

export const AndroidForWorkEntity = CommonEntity;

export const androidForWorkKind: ProfileKind = {
    name: "androidForWorkEnrollmentProfile",
    typeName: "AndroidForWorkEnrollmentProfile",
    label: "Android for Work enrollment profile",
    collectionPath: "/deviceManagement/androidForWorkEnrollmentProfiles",
    odataType: "#microsoft.graph.androidForWorkEnrollmentProfile",
    inputs: AndroidForWorkInputs as unknown as t.Type<Props, Props, unknown>,
    entity: AndroidForWorkEntity as unknown as t.Type<Props, Props, unknown>,
    writable: ["displayName", "description"],
    replaceOnChange: [],
    serverOutputs: [
        "accountId", "tokenValue", "tokenExpirationDateTime", "qrCodeContent", "qrCodeImage", "enrolledDeviceCount",
        "createdDateTime", "lastModifiedDateTime",
    ],
    secrets: ["tokenValue", "qrCodeContent", "qrCodeImage"],
    select: [
        "id", "accountId", "displayName", "description", "createdDateTime", "lastModifiedDateTime", "tokenValue",
        "tokenExpirationDateTime", "enrolledDeviceCount", "qrCodeContent", "qrCodeImage",
    ],
    writeOnly: [],
    tokenRules: () => ({ issuedOnCreate: false, expires: true, maxValidityDays: 90, defaultValidityDays: 90, scope: "for Android for Work profiles" }),
    crossChecks: () => [],
    manageable: () => true,
    clearedValues: { description: null },
};

export type AndroidForWorkEnrollmentProfileArgs = { [K in keyof AndroidForWorkInputs]: pulumi.Input<AndroidForWorkInputs[K]> };

export const androidForWorkEnrollmentProfileProvider = dynamicProvider(androidForWorkKind.name);

/** A legacy Android for Work enrollment profile with its enrollment token and QR code. */
export class AndroidForWorkEnrollmentProfile extends EnrollmentProfileResource {
    constructor(name: string, args: AndroidForWorkEnrollmentProfileArgs, opts?: pulumi.CustomResourceOptions) {
        super(androidForWorkKind, androidForWorkEnrollmentProfileProvider, name, args, opts);
    }
}
