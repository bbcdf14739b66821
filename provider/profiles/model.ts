import * as t from "io-ts";
import type { ProviderSettings } from "../runtime/settings";
import type { ProfileAttachment } from "./attachments";
import type { EnrollmentRequirement } from "./readiness";
import type { DerivedProperties } from "./schema";

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

export const ValidityDays = t.refinement(
    t.number,
    (n) => Number.isInteger(n) && n >= 1 && n <= MAX_VALIDITY_DAYS,
    `a whole number of days from 1 to ${MAX_VALIDITY_DAYS}`,
);
export const RenewalDays = t.refinement(t.number, (n) => Number.isInteger(n) && n >= 1 && n <= 3650, "a whole number of days from 1 to 3650");
export const IsoDateTime = t.refinement(
    t.string,
    (s) => !Number.isNaN(Date.parse(s)) && /^\d{4}-\d{2}-\d{2}T/.test(s),
    "an ISO 8601 date-time such as 2027-01-31T00:00:00Z",
);
export const NonEmptyString = t.refinement(t.string, (s) => s.trim().length > 0, "a non-empty string");
export const ProfileId = t.refinement(t.string, (s) => /^[0-9a-fA-F-]{36}$/.test(s), "a profile id (GUID)");

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
    /** Pulumi type: pulumi-nodejs:dynamic/intune:<typeName>. */
    typeName: string;
    /** What users call it, for messages: "Android enrollment profile". */
    label: string;
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
