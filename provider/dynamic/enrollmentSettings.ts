import * as pulumi from "@pulumi/pulumi";
import { RESOURCE_URN } from "../profiles/model";
import { dynamicTypeToken } from "../typeTokens";
import { providerText } from "./providerText";
import { ENROLLMENT_SETTINGS_NAME, ENROLLMENT_SETTINGS_TYPE_NAME } from "../enterprise/names";
import { ENROLLMENT_SETTINGS_OUTPUT_KEYS } from "../enterprise/enrollmentSettings";

/** The arguments of AndroidEnterpriseEnrollmentSettings. */
export interface AndroidEnterpriseEnrollmentSettingsArgs {
    /**
     * Allow users to enroll corporate-owned user devices: what fully managed and corporate-owned work profile
     * enrollment need. `pulumi destroy` puts the switch back as this stack found it.
     */
    fullyManagedEnrollmentEnabled: pulumi.Input<boolean>;
}

/**
 * The tenant's Android Enterprise enrollment settings that a stack may own: today, corporate-owned user enrollment.
 * One per tenant (declare it in one stack). Creating it takes the switch over as found; destroying it puts the
 * switch back (the Pulumi option `retainOnDelete: true` leaves it as set). Managed Google Play's binding is made in
 * the Intune admin center with a Google account: the outputs report it, code cannot make it.
 */
export class AndroidEnterpriseEnrollmentSettings extends pulumi.CustomResource {
    /** Corporate-owned user enrollment, as the tenant has it. */
    declare readonly fullyManagedEnrollmentEnabled: pulumi.Output<boolean>;
    /** The switch as this stack found it: what `pulumi destroy` puts back. */
    declare readonly foundFullyManagedEnrollmentEnabled: pulumi.Output<boolean | null>;
    /** The tenant's binding to managed Google Play: notBound, bound, boundAndValidated or unbinding. */
    declare readonly bindStatus: pulumi.Output<string | null>;
    declare readonly ownerOrganizationName: pulumi.Output<string | null>;
    declare readonly enrollmentTarget: pulumi.Output<string | null>;
    /** The Entra ID tenant whose settings these are. */
    declare readonly tenantId: pulumi.Output<string>;
    declare readonly graphRoot: pulumi.Output<string>;

    constructor(name: string, args: AndroidEnterpriseEnrollmentSettingsArgs, opts?: pulumi.CustomResourceOptions) {
        const type = dynamicTypeToken(ENROLLMENT_SETTINGS_TYPE_NAME);
        const props: Record<string, unknown> = {};
        for (const key of ENROLLMENT_SETTINGS_OUTPUT_KEYS) props[key] = undefined;
        Object.assign(props, args);
        props[RESOURCE_URN] = pulumi.createUrn(name, type, opts?.parent);
        props.__provider = providerText(ENROLLMENT_SETTINGS_NAME);
        super(type, name, props, opts);
    }
}
