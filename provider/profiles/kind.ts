import type * as t from "io-ts";
import type { ProviderSettings } from "../runtime/settings";
import type { ProfileContext } from "./context";
import type { Props } from "./model";
import type { DerivedProperties } from "./properties";

/**
 * The shape of the data that describes one profile type. The lifecycle (check, diff, create, read, update, delete)
 * is written once against a ProfileKind; a new profile type is a new kind file in kinds/.
 */

export interface CheckFailure {
    property: string;
    reason: string;
}

/** How a profile type's enrollment token behaves, for the inputs given. */
export interface TokenRules {
    /** POST issues the first token (device-owner profiles); otherwise createToken must. */
    issuedOnCreate: boolean;
    /** False for tokens that never expire (default fully-managed and work-profile tokens). */
    expires: boolean;
    /** The most validity createToken accepts, in days. */
    maxValidityDays: number;
    /** Validity asked for when the user names none (undefined: take what the service gives). */
    defaultValidityDays?: number;
    /** Words for error messages: "for AOSP enrollment modes". */
    scope: string;
}

/**
 * A profile type: its name and Graph collection, the lists derived from its property table (schema.ts), and the
 * rules that span properties. The lifecycle (check, diff, create, read, update, delete) is written once against
 * it; a new profile type is one kind file with one table, registered in kinds/index.ts.
 */
export interface ProfileKind extends DerivedProperties {
    /** Registry key, also the provider singleton's name. */
    name: string;
    /** The type's name: pulumi-nodejs:dynamic/intune:<typeName> as a dynamic resource, intune:index:<typeName> in the schema. */
    typeName: string;
    /** What users call it, for messages: "Android enrollment profile". */
    label: string;
    /** What the resource is, in a sentence: the schema's and the reference's description of the type. */
    description: string;
    collectionPath: string;
    odataType: string;
    tokenRules(inputs: Props): TokenRules;
    /** Rules across properties, beyond what the codec says. */
    crossChecks(inputs: Props, settings: ProviderSettings | undefined): CheckFailure[];
    /** False for entities the provider must never manage (built-in profiles with undocumented modes). */
    manageable(entity: Props): boolean;
    /** What the tenant must allow before devices can enroll with such a profile (a mode's managed Google Play binding, …). */
    enrollmentRequirements?(inputs: Props): readonly EnrollmentRequirement[];
    /** State kept beside the entity through bound actions (enrollment-time grouping). */
    attachments?: readonly ProfileAttachment[];
}

/** What the tenant must allow before devices can enroll with a profile (readiness.ts judges it). */
export type EnrollmentRequirement = "managedGooglePlay" | "corporateOwnedUserEnrollment";

/**
 * State a profile has beside its Graph entity, set and read through bound actions rather than in the entity's
 * PATCH and GET (enrollment-time grouping). The shared lifecycle calls these few hooks at fixed points; everything
 * about one such state lives in its own module, named in the kind's `attachments`.
 */
export interface ProfileAttachment {
    /**
     * Inputs it owns. Like a writable property: declared → applied; removed from the program → undone; never
     * declared → unmanaged.
     */
    readonly inputs: readonly string[];
    /** Outputs it reports (never secret): what each holds and says. */
    readonly outputs: Readonly<Record<string, { codec: t.Mixed; description: string }>>;
    /**
     * Brings the service in line with `news`, given what `olds` recorded as applied; returns its outputs. A refusal
     * throws an error that says what to fix, having changed nothing.
     */
    apply(kind: ProfileKind, ctx: ProfileContext, id: string, olds: Props, news: Props): Promise<Props>;
    /**
     * What the service holds now: its outputs, and each declared input's live value (undefined: none), so a change
     * made in the portal shows as drift; and what the refresh should tell the user (a refusal it worked around).
     * `recorded` is the stored state.
     */
    read(kind: ProfileKind, ctx: ProfileContext, id: string, recorded: Props): Promise<AttachmentReading>;
    /** Warnings a refresh should show about what it read (a target that no longer passes the service's checks). */
    notices?(kind: ProfileKind, props: Props): string[];
}

export interface AttachmentReading {
    values: Props;
    notices?: string[];
}
