import { readdirSync } from "node:fs";
import { ProfileKind } from "../kind";

/**
 * Every profile type the provider serves, by name. Each kind file in this folder is found and loaded here, so a
 * new profile type is one new file (its table, its rules, its resource class) with no edit elsewhere; code that is
 * not a kind file (a test's throwaway type) registers its kind with registerKind.
 */
export const KINDS: Record<string, ProfileKind> = {};

export function registerKind(kind: ProfileKind): ProfileKind {
    KINDS[kind.name] = kind;
    return kind;
}

/** Forgets a kind registered with registerKind (a test's throwaway type, once its test is done). */
export function unregisterKind(name: string): void {
    delete KINDS[name];
}

const isKind = (value: unknown): value is ProfileKind =>
    typeof value === "object" &&
    value !== null &&
    typeof (value as ProfileKind).collectionPath === "string" &&
    typeof (value as ProfileKind).tokenRules === "function";

for (const file of readdirSync(__dirname)
    .filter((f) => /\.js$/.test(f) && f !== "index.js")
    .sort()) {
    for (const value of Object.values(require(`./${file}`) as Record<string, unknown>)) if (isKind(value)) registerKind(value);
}

export function kindNamed(name: string): ProfileKind {
    const kind = KINDS[name];
    if (!kind) throw new Error(`unknown profile type "${name}" (this provider knows ${Object.keys(KINDS).join(", ")})`);
    return kind;
}
