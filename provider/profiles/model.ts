import * as t from "io-ts";

/** The primitives every profile type shares: Pulumi's unknown, the property bag, and the codecs of common values. */

/** Pulumi's placeholder for a value not known until apply (preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export type Props = Record<string, unknown>;

/** The input that carries the resource's own URN to the provider, which Pulumi's dynamic diff does not pass. */
export const RESOURCE_URN = "__urn";

export const nullable = <C extends t.Mixed>(c: C): t.UnionC<[C, t.NullC, t.UndefinedC]> => t.union([c, t.null, t.undefined]);

const nullableStrings = t.array(t.union([t.string, t.null]));

/**
 * A collection of nullable strings, as Graph's metadata declares scope tag ids, read as the strings it holds: a null
 * item is nothing a program could declare, and kept it would show as a change on every run.
 */
export const StringsSkippingNulls = new t.Type<string[], string[], unknown>(
    "Array<string | null>",
    (u): u is string[] => Array.isArray(u) && u.every((item) => typeof item === "string"),
    (u, c) => {
        const decoded = nullableStrings.validate(u, c);
        return decoded._tag === "Left" ? decoded : t.success(decoded.right.filter((item): item is string => item !== null));
    },
    t.identity,
);

/**
 * An enum as Graph may answer it: the member's name, or its integer (the service takes both on the wire, so it
 * may answer either), read as the name so that diff and the type's rules see one form. `members` are in the order of
 * their integers. A value this code does not know (a built-in profile's mode 5) is kept as it came, for the type's
 * rules to skip.
 */
export function enumOnTheWire(members: readonly string[]): t.Type<string | number, string | number, unknown> {
    return new t.Type<string | number, string | number, unknown>(
        "string | number",
        (u): u is string | number => typeof u === "string" || typeof u === "number",
        (u, c) => {
            if (typeof u === "string") return t.success(u);
            if (typeof u !== "number") return t.failure(u, c);
            return t.success(Number.isInteger(u) && u >= 0 && u < members.length ? members[u] : u);
        },
        t.identity,
    );
}

/**
 * An enumeration a lookup or output reports as a string, answered by name or by integer (see enumOnTheWire): read as
 * the member's name; an integer this code does not know is kept as its digits, so the value still reads as a string.
 */
export function enumNameOnTheWire(members: readonly string[], name: string): t.Type<string, string, unknown> {
    const wire = enumOnTheWire(members);
    return new t.Type<string, string, unknown>(
        name,
        (u): u is string => typeof u === "string",
        (u, c) => {
            const decoded = wire.validate(u, c);
            return decoded._tag === "Left" ? decoded : t.success(String(decoded.right));
        },
        t.identity,
    );
}

export const MimeContent = t.type({ type: nullable(t.string), value: nullable(t.string) }, "mimeContent");

/** The codecs of whole numbers: a schema types them as integers (io-ts itself knows only numbers). */
export const WHOLE_NUMBERS = new WeakSet<t.Mixed>();

/** A whole number from `min` to `max`, named for messages ("a whole number of days from 1 to 90"). */
export function wholeNumber(min: number, max: number, name: string): t.RefinementC<t.NumberC> {
    const codec = t.refinement(t.number, (n) => Number.isInteger(n) && n >= min && n <= max, name);
    WHOLE_NUMBERS.add(codec);
    return codec;
}

const MAX_VALIDITY_DAYS = 65 * 365;

export const ValidityDays = wholeNumber(1, MAX_VALIDITY_DAYS, `a whole number of days from 1 to ${MAX_VALIDITY_DAYS}`);
export const RenewalDays = wholeNumber(1, 3650, "a whole number of days from 1 to 3650");
/** A count the service keeps (devices enrolled). */
export const Count = wholeNumber(0, Number.MAX_SAFE_INTEGER, "a whole number");
/** Whether YYYY-MM-DD names a day of the calendar: Date.parse takes 2027-02-30 for March 2. */
function isCalendarDay(date: string): boolean {
    const [y, m, d] = date.split("-").map(Number);
    const day = new Date(0);
    day.setUTCFullYear(y, m - 1, d);
    return day.getUTCFullYear() === y && day.getUTCMonth() === m - 1 && day.getUTCDate() === d;
}

export const IsoDateTime = t.refinement(
    t.string,
    (s) => /^\d{4}-\d{2}-\d{2}T/.test(s) && !Number.isNaN(Date.parse(s)) && isCalendarDay(s.slice(0, 10)),
    "an ISO 8601 date-time such as 2027-01-31T00:00:00Z",
);
export const NonEmptyString = t.refinement(t.string, (s) => s.trim().length > 0, "a non-empty string");
export const ProfileId = t.refinement(t.string, (s) => /^[0-9a-fA-F-]{36}$/.test(s), "a profile id (GUID)");
