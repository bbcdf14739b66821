import * as t from "io-ts";

/**
 * io-ts errors in words a person reads: one line per property, naming what it must be and what it was. io-ts
 * reports a path through every intersection and union member ("0.1.enrolledDeviceCount.0"); what matters to the
 * reader is the property and the type declared for it, so the rest is dropped.
 */

export interface PropertyProblem {
    property: string;
    /** What the property must be, in words: "a number", "one of none, wpa, wep". */
    expected: string;
    /** The value as received, or its kind when the property is secret. */
    got: unknown;
    /** The property was absent. */
    missing: boolean;
}

/** "(number | null | undefined)" → "a number or null"; a named codec keeps its own words. */
export function typeInWords(name: string): string {
    const members = name
        .replace(/^\((.*)\)$/, "$1")
        .split(" | ")
        .map((m) => m.trim())
        .filter((m) => m !== "undefined");
    if (members.length === 0) return name;
    const word = (m: string): string => {
        if (m === "null") return "null";
        if (m === "string" || m === "number" || m === "boolean") return `a ${m}`;
        if (/^Array<(.*)>$/.test(m)) return `a list of ${m.replace(/^Array<(.*)>$/, "$1")} values`;
        if (/^\{/.test(m)) return "an object";
        return m;
    };
    return members.map(word).join(" or ");
}

export function propertyProblems(errors: t.Errors): PropertyProblem[] {
    const byProperty = new Map<string, PropertyProblem>();
    for (const error of errors) {
        const index = error.context.findIndex((c, i) => i > 0 && c.key !== "" && !/^\d+$/.test(c.key));
        if (index < 0) continue;
        const entry = error.context[index];
        if (byProperty.has(entry.key)) continue;
        byProperty.set(entry.key, {
            property: entry.key,
            expected: typeInWords(entry.type.name),
            got: entry.actual,
            missing: entry.actual === undefined,
        });
    }
    return [...byProperty.values()];
}

/** A value for a message: strings quoted, numbers and booleans as they are, secrets only by kind. */
export function shownValue(value: unknown, secret: boolean): string {
    if (secret) return value === null ? "null" : `a ${Array.isArray(value) ? "list" : typeof value} (secret, not shown)`;
    if (typeof value === "string") return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
    if (value === undefined) return "nothing";
    const json = JSON.stringify(value);
    return json.length > 80 ? `${json.slice(0, 77)}...` : json;
}

/** "a" or "an" before a word, for messages that name a type: "an Android enrollment profile". */
export function withArticle(phrase: string): string {
    return `${/^[aeiou]/i.test(phrase) ? "an" : "a"} ${phrase}`;
}
