import * as pulumi from "@pulumi/pulumi";
import { programContext } from "./programContext";
import { androidDeviceOwnerKind } from "../profiles/kinds/androidDeviceOwner";
import { androidForWorkKind } from "../profiles/kinds/androidForWork";
import { ProfileKind } from "../profiles/kind";
import { lookupProfile, ProfileLookupArgs } from "../profiles/lookups";
import { Props } from "../profiles/model";

export { ProfileLookupArgs };

/**
 * The lookups from a TypeScript program: settings from the same `intune:` stack config and environment as the
 * resources; the secret fields come back as secret Outputs, so they stay encrypted if exported.
 */

export interface ProfileLookupResult {
    profileId: string;
    displayName: string;
    properties: Props;
    tokenValue: pulumi.Output<string | null>;
    qrCodeContent: pulumi.Output<string | null>;
    qrCodeImage: pulumi.Output<string | null>;
}

async function lookup(kind: ProfileKind, args: ProfileLookupArgs): Promise<ProfileLookupResult> {
    const ctx = await programContext();
    const { tokenValue, qrCodeContent, qrCodeImage, ...rest } = await lookupProfile(kind, ctx, args);
    const secret = (value: unknown): pulumi.Output<string | null> => pulumi.secret((value ?? null) as string | null);
    return {
        profileId: String(rest.profileId),
        displayName: typeof rest.displayName === "string" ? rest.displayName : "",
        properties: rest,
        tokenValue: secret(tokenValue),
        qrCodeContent: secret(qrCodeContent),
        qrCodeImage: secret(qrCodeImage),
    };
}

export function getAndroidDeviceOwnerEnrollmentProfile(args: ProfileLookupArgs): Promise<ProfileLookupResult> {
    return lookup(androidDeviceOwnerKind, args);
}

export function getAndroidForWorkEnrollmentProfile(args: ProfileLookupArgs): Promise<ProfileLookupResult> {
    return lookup(androidForWorkKind, args);
}
