import * as settings from "./enterprise/operations";
import { ENROLLMENT_SETTINGS_NAME, ENROLLMENT_SETTINGS_TYPE_NAME } from "./enterprise/names";
import { KINDS } from "./profiles/kinds";
import { CheckFailure, ProfileKind } from "./profiles/kind";
import { Props } from "./profiles/model";
import * as profiles from "./profiles/operations";

/**
 * Every resource type the package serves, each with its lifecycle: what both front doors (the dynamic resources'
 * host and the provider plugin) call, so that a resource behaves the same through either. Plain values in and out;
 * `urn` is the resource's URN where the engine tells it.
 */
export interface ResourceType {
    /** The dynamic provider's name for it (what a `__provider` text names). */
    name: string;
    /** The Pulumi type name: `intune:index:<typeName>` in the schema. */
    typeName: string;
    /** Properties that are secret wherever they appear. */
    secrets: readonly string[];
    /** `sentSecret`: properties the program marked secret (the plugin knows them), whose values no failure may quote. */
    check(olds: Props, news: Props, urn: string | undefined, sentSecret?: readonly string[]): Promise<{ inputs: Props; failures: CheckFailure[] }>;
    /** `olds`: the stored outputs. `updates`: what changes in place. */
    diff(olds: Props, news: Props, urn: string | undefined): Promise<{ changes: boolean; replaces: string[]; updates: string[] }>;
    create(inputs: Props, urn: string | undefined): Promise<{ id: string; outs: Props }>;
    /** A refresh; an empty id: gone. */
    read(id: string, props: Props): Promise<{ id: string; props: Props; inputs: Props }>;
    /** `pulumi import`: the resource known only by its id. */
    importById(id: string): Promise<{ id: string; props: Props; inputs: Props }>;
    update(id: string, olds: Props, news: Props, urn: string | undefined): Promise<{ outs: Props }>;
    remove(id: string, props: Props): Promise<void>;
}

function profileType(kind: ProfileKind): ResourceType {
    return {
        name: kind.name,
        typeName: kind.typeName,
        secrets: kind.secrets,
        check: (olds, news, urn, sentSecret) => profiles.checkProfile(kind, olds, news, urn, sentSecret),
        diff: (olds, news, urn) => profiles.diff(kind, olds, news, urn),
        create: (inputs, urn) => profiles.create(kind, inputs, urn),
        read: (id, props) => profiles.read(kind, id, props),
        importById: (id) => profiles.importProfile(kind, id),
        update: (id, olds, news, urn) => profiles.update(kind, id, olds, news, urn),
        remove: (id, props) => profiles.remove(kind, id, props),
    };
}

const enrollmentSettingsType: ResourceType = {
    name: ENROLLMENT_SETTINGS_NAME,
    typeName: ENROLLMENT_SETTINGS_TYPE_NAME,
    secrets: [],
    check: (_olds, news, urn) => settings.check(news, urn),
    diff: (olds, news) => settings.diff(olds, news),
    create: (inputs, urn) => settings.create(inputs, urn),
    read: (_id, props) => settings.read(props),
    importById: (id) => settings.importSettings(id),
    update: (_id, olds, news, urn) => settings.update(olds, news, urn),
    remove: (_id, props) => settings.remove(props),
};

/** Every type, profile kinds first (a kind registered by a test included). */
export function resourceTypes(): ResourceType[] {
    return [...Object.values(KINDS).map(profileType), enrollmentSettingsType];
}

/** The type with this name or type name; an unknown one is an error that lists the types this version knows. */
export function resourceTypeNamed(name: string): ResourceType {
    const found = resourceTypes().find((t) => t.name === name || t.typeName === name);
    if (!found)
        throw new Error(
            `unknown resource type "${name}" (this provider knows ${resourceTypes()
                .map((t) => t.name)
                .join(", ")})`,
        );
    return found;
}
