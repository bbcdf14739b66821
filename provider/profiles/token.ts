import { ProfileKind, Props, UNKNOWN } from "./model";

/**
 * Enrollment-token decisions, shared by diff (is a new token due?) and create/update (what validity to ask for).
 * Pure functions of the inputs, the last known outputs and the clock.
 */

const DAY_MS = 86_400_000;
/** The service computes expiry from its own clock at its own moment: allow this much difference. */
export const EXPIRY_TOLERANCE_MS = 10 * 60_000;

/** An expiry that means "no token" (Intune's non-nullable DateTimeOffset) rather than a date. */
export function parseExpiry(value: unknown): number | undefined {
    if (typeof value !== "string") return undefined;
    const ms = Date.parse(value);
    if (Number.isNaN(ms) || ms <= Date.parse("0002-01-01T00:00:00Z")) return undefined;
    return ms;
}

export function hasToken(outputs: Props): boolean {
    return typeof outputs.tokenValue === "string" && outputs.tokenValue !== "" && parseExpiry(outputs.tokenExpirationDateTime) !== undefined;
}

/** The expiry the user asked for, if any: a fixed date, or now + validity. */
export function desiredExpiry(kind: ProfileKind, inputs: Props, now: number): number | undefined {
    if (typeof inputs.tokenExpirationDateTime === "string" && inputs.tokenExpirationDateTime !== UNKNOWN) {
        return Date.parse(inputs.tokenExpirationDateTime);
    }
    const days = typeof inputs.tokenValidityDays === "number" ? inputs.tokenValidityDays : kind.tokenRules(inputs).defaultValidityDays;
    return days === undefined ? undefined : now + days * DAY_MS;
}

/** tokenValidityInSeconds for createToken, or undefined to let the service choose (non-expiring tokens). */
export function validitySeconds(kind: ProfileKind, inputs: Props, now: number): number | undefined {
    if (!kind.tokenRules(inputs).expires) return undefined;
    const expiry = desiredExpiry(kind, inputs, now);
    return expiry === undefined ? undefined : Math.max(1, Math.round((expiry - now) / 1000));
}

/**
 * Why the current token must be replaced, or undefined if it is fine: none yet, expired or revoked, inside the
 * renewal window, or issued for another validity than the one now declared.
 */
export function tokenRenewalReason(kind: ProfileKind, olds: Props, news: Props, now: number): string | undefined {
    if (news.enrollmentMode === UNKNOWN) return undefined;
    if (!hasToken(olds)) return "the profile has no enrollment token";
    const expiry = parseExpiry(olds.tokenExpirationDateTime)!;
    if (expiry <= now) return "the enrollment token has expired or was revoked";
    const rules = kind.tokenRules(news);
    if (rules.expires) {
        const renewDays = news.renewTokenWithinDays;
        if (typeof renewDays === "number" && expiry - now <= renewDays * DAY_MS) {
            return `the enrollment token expires within ${renewDays} days`;
        }
        if (news.tokenValidityDays === UNKNOWN || news.tokenExpirationDateTime === UNKNOWN) return "the token validity is not known yet";
        if (typeof news.tokenExpirationDateTime === "string" && Math.abs(Date.parse(news.tokenExpirationDateTime) - expiry) > EXPIRY_TOLERANCE_MS) {
            return "tokenExpirationDateTime changed";
        }
        if (news.tokenValidityDays !== undefined && news.tokenValidityDays !== olds.tokenValidityDays) return "tokenValidityDays changed";
    }
    return undefined;
}

/** Whether an entity read back carries the token we expect after issuing one. */
export function tokenIsFresh(entity: Props, previousToken: unknown, wantedExpiry: number | undefined): boolean {
    if (typeof entity.tokenValue !== "string" || entity.tokenValue === "" || entity.tokenValue === previousToken) return false;
    if (typeof entity.qrCodeContent === "string" && !qrCarriesToken(entity.qrCodeContent, entity.tokenValue)) return false;
    const expiry = parseExpiry(entity.tokenExpirationDateTime);
    if (expiry === undefined) return false;
    return wantedExpiry === undefined || Math.abs(expiry - wantedExpiry) <= EXPIRY_TOLERANCE_MS;
}

/** The QR content is the provisioning JSON, or (AOSP, maybe GMS too) base64 of it: look for the token both ways. */
export function qrCarriesToken(content: string, token: string): boolean {
    if (content.includes(token)) return true;
    try {
        return Buffer.from(content, "base64").toString("utf8").includes(token);
    } catch {
        return false;
    }
}
