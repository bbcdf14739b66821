import * as pulumi from "@pulumi/pulumi";
import { ANDROID_FOR_WORK_PROPERTIES, androidForWorkKind } from "../profiles/kinds/androidForWork";
import { ArgsOf } from "./args";
import { EnrollmentProfileResource } from "./profileResource";

/** The resource's arguments, derived from the table: each shows its property's description on hover. */
export type AndroidForWorkEnrollmentProfileArgs = ArgsOf<typeof ANDROID_FOR_WORK_PROPERTIES>;

/** A legacy Android for Work enrollment profile with its enrollment token and QR code. */
export class AndroidForWorkEnrollmentProfile extends EnrollmentProfileResource {
    constructor(name: string, args: AndroidForWorkEnrollmentProfileArgs, opts?: pulumi.CustomResourceOptions) {
        super(androidForWorkKind, name, args, opts);
    }
}
