import * as pulumi from "@pulumi/pulumi";
import { attachmentOutputs } from "../profiles/attachments";
import { BINDING_OUTPUTS } from "../profiles/binding";
import { RESOURCE_URN } from "../profiles/model";
import { ProfileKind } from "../profiles/kind";
import { dynamicTypeToken } from "../typeTokens";
import { providerText } from "./providerText";

/**
 * The Pulumi resource for a profile type. It declares every server property as an output, marks the token, the QR
 * code and the Wi-Fi password secret whatever the user passes (in state and in stack outputs), and registers the
 * type as pulumi-nodejs:dynamic/intune:<TypeName>: a dynamic resource, run by the engine's dynamic-provider host.
 * It is what `pulumi.dynamic.Resource` registers, with its own small `__provider` text (provider.ts) instead of a
 * serialized provider object.
 */
export abstract class EnrollmentProfileResource extends pulumi.CustomResource {
    declare readonly profileId: pulumi.Output<string>;
    declare readonly accountId: pulumi.Output<string>;
    declare readonly displayName: pulumi.Output<string>;
    declare readonly description: pulumi.Output<string | undefined>;
    /** The enrollment token. Secret. */
    declare readonly tokenValue: pulumi.Output<string | null>;
    declare readonly tokenExpirationDateTime: pulumi.Output<string | null>;
    /** The text the enrollment QR code encodes (embeds the token, and for AOSP the Wi-Fi password). Secret. */
    declare readonly qrCodeContent: pulumi.Output<string | null>;
    /** The QR code as a base64 PNG. Secret. */
    declare readonly qrCodeImage: pulumi.Output<string | null>;
    /** MIME type of qrCodeImage (image/png). */
    declare readonly qrCodeImageType: pulumi.Output<string | null>;
    declare readonly enrolledDeviceCount: pulumi.Output<number>;
    declare readonly createdDateTime: pulumi.Output<string>;
    declare readonly lastModifiedDateTime: pulumi.Output<string>;
    /** The Entra ID tenant the profile lives in. Reads, updates and deletes configured for another tenant are refused. */
    declare readonly tenantId: pulumi.Output<string>;
    /** The Graph root the profile lives at (a local emulator without its port). */
    declare readonly graphRoot: pulumi.Output<string>;

    protected constructor(kind: ProfileKind, name: string, args: object, opts?: pulumi.CustomResourceOptions) {
        const props: Record<string, unknown> = { profileId: undefined };
        for (const key of Object.keys(BINDING_OUTPUTS)) props[key] = undefined;
        for (const key of [...kind.serverOutputs, ...attachmentOutputs(kind)]) props[key] = undefined;
        for (const key of kind.mimeOutputs) props[key] = props[`${key}Type`] = undefined;
        Object.assign(props, args);
        for (const key of kind.secrets) if (props[key] !== undefined) props[key] = pulumi.secret(props[key]);
        // The provider's diff is told no URN; with its own, a diagnostic (why a token is renewed) shows on this resource.
        const type = dynamicTypeToken(kind.typeName);
        props[RESOURCE_URN] = pulumi.createUrn(name, type, opts?.parent);
        props.__provider = providerText(kind.name);
        super(type, name, props, pulumi.mergeOptions(opts, { additionalSecretOutputs: [...kind.secrets] }));
    }
}
