import * as t from "io-ts";
import { ProviderSettings } from "../graph/settings";
import type { ProfileAttachment } from "./attachments";

/**
 * What every profile type shares, and the shape of the data that describes one type. The lifecycle (check, diff,
 * create, read, update, delete) is written once against a ProfileKind; a new profile type is a new kind file.
 */

/** Pulumi's placeholder for a value not known until apply (preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type Props = Record<string, unknown>;

/** The input that carries the resource's own URN to the provider, which Pulumi's dynamic diff does not pass. */
export const RESOURCE_URN = "__urn";

export const nullable = <C extends t.Mixed>(c: C): t.UnionC<[C, t.NullC, t.UndefinedC]> => t.union([c, t.null, t.undefined]);

export const MimeContent = t.type({ type: nullable(t.string), value: nullable(t.string) }, "mimeContent");

const MAX_VALIDITY_DAYS = 65 * 365;

export const ValidityDays = t.refinement(t.number, (n) => Number.isInteger(n) && n >= 1 && n <= MAX_VALIDITY_DAYS, `a whole number of days from 1 to ${MAX_VALIDITY_DAYS}`);
export const RenewalDays = t.refinement(t.number, (n) => Number.isInteger(n) && n >= 1 && n <= 3650, "a whole number of days from 1 to 3650");
export const IsoDateTime = t.refinement(t.string, (s) => !Number.isNaN(Date.parse(s)) && /^\d{4}-\d{2}-\d{2}T/.test(s), "an ISO 8601 date-time such as 2027-01-31T00:00:00Z");
export const NonEmptyString = t.refinement(t.string, (s) => s.trim().length > 0, "a non-empty string");
export const ProfileId = t.refinement(t.string, (s) => /^[0-9a-fA-F-]{36}$/.test(s), "a profile id (GUID)");

/** Inputs every profile type has that steer the provider rather than Graph properties. */
export const ProviderControls = t.partial({
    description: t.string,
    /** Validity of each issued token, counted from issue. */
    tokenValidityDays: ValidityDays,
    /** A fixed expiry for the token instead of a validity. */
    tokenExpirationDateTime: IsoDateTime,
    /** A run within this many days of expiry issues a new token. */
    renewTokenWithinDays: RenewalDays,
    revokeTokenOnDelete: t.boolean,
    /** Take over this existing profile instead of creating one. */
    adoptExistingId: ProfileId,
    /** Take over the one existing profile with this displayName (and the declared mode) instead of creating one. */
    adoptByDisplayName: t.boolean,
});

/** The fields of a Graph entity every profile type returns. Unknown extra properties are kept and ignored. */
export const CommonEntity = t.intersection([
    t.type({ id: t.string }),
    t.partial({
        accountId: nullable(t.string),
        displayName: nullable(t.string),
        description: nullable(t.string),
        createdDateTime: nullable(t.string),
        lastModifiedDateTime: nullable(t.string),
        tokenValue: nullable(t.string),
        tokenExpirationDateTime: nullable(t.string),
        enrolledDeviceCount: nullable(t.number),
        qrCodeContent: nullable(t.string),
        qrCodeImage: nullable(MimeContent),
    }),
]);
export type CommonEntity = t.TypeOf<typeof CommonEntity>;

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

export interface ProfileKind {
    /** Registry key, also the provider singleton's name. */
    name: string;
    /** Pulumi type: pulumi-nodejs:dynamic/intune:<typeName>. */
    typeName: string;
    /** What users call it, for messages: "Android enrollment profile". */
    label: string;
    collectionPath: string;
    odataType: string;
    /** User inputs: Graph-writable properties plus the provider controls. */
    inputs: t.Type<Props, Props, unknown>;
    /** A Graph entity as read. */
    entity: t.Type<Props, Props, unknown>;
    /** Graph properties the user may set; sent in POST, and in PATCH when changed. */
    writable: readonly string[];
    /** Properties whose change replaces the profile. */
    replaceOnChange: readonly string[];
    /** Graph properties returned as outputs. */
    serverOutputs: readonly string[];
    /** Outputs and inputs that are secret wherever they appear. */
    secrets: readonly string[];
    /** $select for a complete read (the token fields are only returned when selected). */
    select: readonly string[];
    /** Properties Graph may not return (write-only), kept from the inputs instead of read back. */
    writeOnly: readonly string[];
    tokenRules(inputs: Props): TokenRules;
    /** Rules across properties, beyond what the codec says. */
    crossChecks(inputs: Props, settings: ProviderSettings | undefined): CheckFailure[];
    /** False for entities the provider must never manage (built-in profiles with undocumented modes). */
    manageable(entity: Props): boolean;
    /**
     * The value that clears each writable property. A property removed from the program is set to this (rather than
     * left as it was), so deleting a line of code does what it says; a property never declared stays unmanaged.
     */
    clearedValues: Props;
    /** State kept beside the entity through bound actions (enrollment-time grouping). */
    attachments?: readonly ProfileAttachment[];
}
