import * as pulumi from "@pulumi/pulumi";
import { programSettings } from "../runtime/configuration";
import { findByDisplayName, profileContext, ProfileError, readEntity } from "./crud";
import { androidDeviceOwnerKind } from "./kinds/androidDeviceOwner";
import { androidForWorkKind } from "./kinds/androidForWork";
import { Entity } from "./kinds/common";
import { ProfileKind, Props } from "./model";
import { outputs } from "./state";

/**
 * Reading a profile without managing it, from the Pulumi program: by id, or by its (unique) displayName. Settings
 * come from the same `intune:` stack config and environment as the resources. Secret fields come back as secret
 * Outputs so they stay encrypted if exported.
 */

export interface ProfileLookupArgs {
    id?: string;
    displayName?: string;
}

export interface ProfileLookupResult {
    profileId: string;
    displayName: string;
    properties: Props;
    tokenValue: pulumi.Output<string | null>;
    qrCodeContent: pulumi.Output<string | null>;
    qrCodeImage: pulumi.Output<string | null>;
}

async function lookup(kind: ProfileKind, args: ProfileLookupArgs): Promise<ProfileLookupResult> {
    if ((args.id === undefined) === (args.displayName === undefined)) {
        throw new Error(`get${kind.typeName}: pass exactly one of id or displayName`);
    }
    const config = new pulumi.Config("intune");
    const ctx = profileContext(
        await programSettings({ get: (key) => config.get(key.replace(/^intune:/, "")), keys: () => Object.keys(pulumi.runtime.allConfig()) }),
    );
    const operation = { description: `Looking up ${kind.label} "${args.displayName ?? args.id}"`, kind: "read" as const };
    let entity: Entity | undefined;
    if (args.id !== undefined) {
        entity = await readEntity(kind, ctx, args.id, operation, "everything");
    } else {
        const matches = await findByDisplayName(kind, ctx, args.displayName!, operation);
        if (matches.length > 1)
            throw new ProfileError(
                `${operation.description} failed: ${matches.length} profiles have that name (${matches.map((m) => m.id).join(", ")}); look it up by id`,
            );
        entity = matches[0] && (await readEntity(kind, ctx, matches[0].id, operation, "everything"));
    }
    if (!entity) throw new ProfileError(`${operation.description} failed: no such profile`);
    // A lookup is not stored: it returns every opt-in output too.
    const optIns = Object.fromEntries(Object.values(kind.outputWhen).map((control) => [control, true]));
    const live = Object.fromEntries(kind.writable.filter((k) => !kind.writeOnly.includes(k)).map((k) => [k, entity![k]]));
    const props = outputs(kind, { ...live, ...optIns }, entity);
    for (const control of Object.keys(optIns)) delete props[control];
    const secret = (key: string): pulumi.Output<string | null> => pulumi.secret((props[key] ?? null) as string | null);
    const { tokenValue, qrCodeContent, qrCodeImage, ...rest } = props;
    void tokenValue;
    void qrCodeContent;
    void qrCodeImage;
    return {
        profileId: entity.id,
        displayName: entity.displayName ?? "",
        properties: rest,
        tokenValue: secret("tokenValue"),
        qrCodeContent: secret("qrCodeContent"),
        qrCodeImage: secret("qrCodeImage"),
    };
}

export function getAndroidDeviceOwnerEnrollmentProfile(args: ProfileLookupArgs): Promise<ProfileLookupResult> {
    return lookup(androidDeviceOwnerKind, args);
}

export function getAndroidForWorkEnrollmentProfile(args: ProfileLookupArgs): Promise<ProfileLookupResult> {
    return lookup(androidForWorkKind, args);
}
