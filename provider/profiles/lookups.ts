import { ProfileContext } from "./context";
import { findByDisplayName, readEntity } from "./crud";
import { ProfileError } from "./errors";
import { Entity } from "./kinds/common";
import { ProfileKind } from "./kind";
import { Props } from "./model";
import { outputs } from "./state";

/**
 * Reading a profile without managing it, by id or by its (unique) displayName: what the lookup functions of both
 * front doors return. Every output the resource would have, opt-in ones included (a lookup is not stored); the
 * secret ones are the kind's `secrets`, for the caller to keep secret.
 */

export interface ProfileLookupArgs {
    id?: string;
    displayName?: string;
}

export async function lookupProfile(kind: ProfileKind, ctx: ProfileContext, args: ProfileLookupArgs): Promise<Props> {
    if ((args.id === undefined) === (args.displayName === undefined)) {
        throw new ProfileError(`get${kind.typeName}: pass exactly one of id or displayName`);
    }
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
    const optIns = Object.fromEntries(Object.values(kind.outputWhen).map((control) => [control, true]));
    const live = Object.fromEntries(kind.writable.filter((k) => !kind.writeOnly.includes(k)).map((k) => [k, entity![k]]));
    const props = outputs(kind, { ...live, ...optIns }, entity);
    for (const control of Object.keys(optIns)) delete props[control];
    return props;
}
