import * as pulumi from "@pulumi/pulumi";
import { MembershipTargetReport } from "../profiles/grouping";
import { ANDROID_DEVICE_OWNER_PROPERTIES, androidDeviceOwnerKind, EnrollmentMode, EnrollmentTokenType } from "../profiles/kinds/androidDeviceOwner";
import { ArgsOf } from "./args";
import { EnrollmentProfileResource } from "./profileResource";

/** The resource's arguments, derived from the table: each shows its property's description on hover. */
export type AndroidDeviceOwnerEnrollmentProfileArgs = ArgsOf<typeof ANDROID_DEVICE_OWNER_PROPERTIES>;

/**
 * An Android Enterprise device-owner enrollment profile (dedicated, fully managed, corporate-owned work profile,
 * AOSP userless or user-associated) with its enrollment token and QR code.
 */
export class AndroidDeviceOwnerEnrollmentProfile extends EnrollmentProfileResource {
    declare readonly enrollmentMode: pulumi.Output<EnrollmentMode>;
    declare readonly enrollmentTokenType: pulumi.Output<EnrollmentTokenType | undefined>;
    declare readonly tokenCreationDateTime: pulumi.Output<string | null>;
    declare readonly enrollmentTokenUsageCount: pulumi.Output<number | null>;
    declare readonly roleScopeTagIds: pulumi.Output<string[] | undefined>;
    declare readonly wifiPassword: pulumi.Output<string | undefined>;
    declare readonly enrollmentTimeDeviceGroupId: pulumi.Output<string | undefined>;
    /** The enrollment-time group as Intune last reported it (null: none), with the result of its validation. */
    declare readonly enrollmentTimeDeviceMembershipTarget: pulumi.Output<MembershipTargetReport | null>;

    constructor(name: string, args: AndroidDeviceOwnerEnrollmentProfileArgs, opts?: pulumi.CustomResourceOptions) {
        super(androidDeviceOwnerKind, name, args, opts);
    }
}
