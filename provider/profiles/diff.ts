import { Props, UNKNOWN } from "./model";
import { ProfileKind } from "./kind";
import { tokenRenewalReason } from "./token";

/**
 * `diff`: pure, no I/O. Compares the new inputs with the last outputs. Replace fields replace, other declared
 * writable fields update in place, server fields and `__provider` never count, an unknown value (preview) counts as
 * a change, and a token that is due (missing, expired, revoked, inside its renewal window) is a change.
 */

export interface ProfileDiff {
    changes: boolean;
    replaces: string[];
    /** Properties that change in place, for messages and for update. */
    updates: string[];
    /** Why a new token will be issued, if one will. */
    tokenReason?: string;
}

/** Whether two values of a property are the same, as its table entry says they compare. */
export function sameValue(kind: ProfileKind, key: string, a: unknown, b: unknown): boolean {
    if (Array.isArray(a) && Array.isArray(b)) {
        if (kind.unordered.includes(key)) return a.length === b.length && [...a].map(String).sort().join("\u0000") === [...b].map(String).sort().join("\u0000");
        return JSON.stringify(a) === JSON.stringify(b);
    }
    if (typeof a === "string" && typeof b === "string" && kind.caseInsensitive.includes(key)) return a.toLowerCase() === b.toLowerCase();
    return (a ?? null) === (b ?? null);
}

/** Whether the declared value of a writable property differs from what the profile has (undeclared: it does not). */
function declaredChange(kind: ProfileKind, key: string, olds: Props, news: Props): boolean {
    const wanted = news[key];
    if (wanted === undefined) return false; // never declared: unmanaged
    // A replace field never declared before holds the service default (its cleared value): declaring that same
    // value must not replace the profile (a new profile means a new token and QR code for every device).
    const had = olds[key] === undefined && kind.replaceOnChange.includes(key) && key in kind.clearedValues ? kind.clearedValues[key] : olds[key];
    return wanted === UNKNOWN || !sameValue(kind, key, wanted, had);
}

/** The properties whose change replaces the profile. */
export function replacingChanges(kind: ProfileKind, olds: Props, news: Props): string[] {
    return kind.replaceOnChange.filter((key) => kind.writable.includes(key) && declaredChange(kind, key, olds, news));
}

export function diffProfile(kind: ProfileKind, olds: Props, news: Props, now: number): ProfileDiff {
    const replaces: string[] = [];
    const updates: string[] = [];
    for (const key of kind.writable) {
        if (declaredChange(kind, key, olds, news)) (kind.replaceOnChange.includes(key) ? replaces : updates).push(key);
    }
    for (const key of kind.controls) {
        if (!sameValue(kind, key, news[key], olds[key])) updates.push(key);
    }
    const tokenReason = tokenRenewalReason(kind, olds, news, now);
    if (tokenReason) updates.push("tokenValue");
    return { changes: replaces.length + updates.length > 0, replaces, updates, tokenReason };
}
