import { Props, UNKNOWN } from "./model";
import { ProfileKind, TokenRules } from "./kind";
import { UNCORRECTED_CLOCK_SKEW_MS } from "../graph/clockSkew";
import { REQUESTED_EXPIRY } from "./state";

/**
 * Enrollment-token decisions, shared by diff (is a new token due?) and create/update (what validity to ask for).
 * Pure functions of the inputs, the last known outputs and the clock.
 *
 * How the service reports a token's expiry is not settled (graph-api.md): a token that never expires may read as
 * null, absent, the minimum DateTimeOffset `0001-01-01T00:00:00Z` or `9999-12-31…`. So whether a token exists is told
 * by `tokenValue` alone, and for a type that never expires the expiry only tells of a revoke (see tokenExpired).
 */

const DAY_MS = 86_400_000;
/** The service computes expiry from its own clock at its own moment: allow this much difference. */
export const EXPIRY_TOLERANCE_MS = 10 * 60_000;

/**
 * `tokenValidityInSeconds` sent for token types that never expire. The service ignores it for them but may refuse
 * createToken without it (the metadata declares it non-nullable). 65 years is the largest validity any mode accepts
 * and fits Edm.Int32; should a service ever honour it, the token still outlives the devices.
 */
export const NON_EXPIRING_VALIDITY_SECONDS = 65 * 365 * 86_400;

/** Validity asked for an expiring token when the program declares none: Intune's own default of 90 days. */
export const DEFAULT_VALIDITY_DAYS = 90;

/** The validity, in days, of a token this provider issues when the program declares none (a renewal's, at least). */
export const undeclaredValidityDays = (rules: TokenRules): number => rules.defaultValidityDays ?? DEFAULT_VALIDITY_DAYS;

/** The expiry as epoch ms; undefined when absent, null or not a date. The minimum date parses (far in the past). */
export function expiryMs(value: unknown): number | undefined {
    if (typeof value !== "string") return undefined;
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
}

/** Whether the profile holds an enrollment token at all: told by `tokenValue`, never by the expiry. */
export function hasToken(props: Props): boolean {
    return typeof props.tokenValue === "string" && props.tokenValue !== "";
}

/** The minimum DateTimeOffset, one way a token that never expires reports its expiry. */
const MIN_DATE_MS = Date.parse("0001-01-01T00:00:00Z");

/**
 * Whether the token has expired or was revoked. For an expiring token type, an expiry at or before now (the minimum
 * date included); an expiring token with no expiry reported cannot be judged and counts as valid, as renewing it on
 * every run would be worse. A token type that never expires reports "never" as null, nothing, the minimum date or a
 * far one; a date in the past after the token was issued is none of those, but a revoke, which expires the token at
 * once (where the service allows revoking such a token). Any other placeholder (an epoch, the issue time itself) is
 * not after the issue, so it never reads as a revoke, which would issue a new token on every run.
 */
export function tokenExpired(rules: TokenRules, props: Props, now: number): boolean {
    const expiry = expiryMs(props.tokenExpirationDateTime);
    if (expiry === undefined) return false;
    if (rules.expires) return expiry <= now;
    const issued = expiryMs(props.tokenCreationDateTime);
    return expiry > MIN_DATE_MS + DAY_MS && expiry <= now && (issued === undefined || expiry > issued);
}

/** A token is usable: present and not expired. */
export function tokenUsable(rules: TokenRules, props: Props, now: number): boolean {
    return hasToken(props) && !tokenExpired(rules, props, now);
}

/** The expiry the user asked for, if any: a fixed date, or now + validity. */
export function desiredExpiry(kind: ProfileKind, inputs: Props, now: number): number | undefined {
    if (typeof inputs.tokenExpirationDateTime === "string" && inputs.tokenExpirationDateTime !== UNKNOWN) {
        return Date.parse(inputs.tokenExpirationDateTime);
    }
    const days = typeof inputs.tokenValidityDays === "number" ? inputs.tokenValidityDays : kind.tokenRules(inputs).defaultValidityDays;
    return days === undefined ? undefined : now + days * DAY_MS;
}

/**
 * The first token's expiry to send with a create: the wanted one, kept far enough inside the type's longest validity
 * that a service whose clock is a little behind this machine's (by less than the client corrects for) does not read
 * it as over the limit and refuse the create. A minute less is well inside EXPIRY_TOLERANCE_MS.
 */
export function createTimeExpiry(rules: TokenRules, wanted: number | undefined, now: number): number | undefined {
    if (wanted === undefined) return undefined;
    return Math.min(wanted, now + rules.maxValidityDays * DAY_MS - UNCORRECTED_CLOCK_SKEW_MS);
}

/**
 * `tokenValidityInSeconds` for createToken: always a number, as the action's contract requires. The declared
 * validity or expiry; else the type's default; for tokens that never expire, NON_EXPIRING_VALIDITY_SECONDS.
 */
export function validitySeconds(kind: ProfileKind, inputs: Props, now: number): number {
    const rules = kind.tokenRules(inputs);
    if (!rules.expires) return NON_EXPIRING_VALIDITY_SECONDS;
    const expiry = desiredExpiry(kind, inputs, now) ?? now + undeclaredValidityDays(rules) * DAY_MS;
    return Math.max(1, Math.round((expiry - now) / 1000));
}

/**
 * Whether a token nobody declared a validity for (one imported, or made before the program said) was issued for
 * `days` anyway: its creation and expiry tell. Declaring the validity it has then issues no new token.
 */
function issuedFor(olds: Props, days: unknown, rules: TokenRules, now: number): boolean {
    if (olds.tokenValidityDays !== undefined || typeof days !== "number") return false;
    const created = expiryMs(olds.tokenCreationDateTime);
    const expiry = expiryMs(olds.tokenExpirationDateTime);
    if (expiry === undefined) return false;
    if (created !== undefined) return Math.abs(expiry - created - days * DAY_MS) <= EXPIRY_TOLERANCE_MS;
    // A type that reports no issue date (the legacy one): only the token issued with the profile can be told. Made
    // while no validity and no fixed expiry were declared, it got the undeclared validity, counted from the create.
    // Any other (a renewal, one with a fixed expiry, one issued for fewer days) is renewed: nothing says its validity.
    if (olds[REQUESTED_EXPIRY] !== undefined || days !== undeclaredValidityDays(rules)) return false;
    const profileMade = expiryMs(olds.createdDateTime);
    if (profileMade === undefined || profileMade < EARLIEST_REAL_DATE_MS || profileMade > now + EXPIRY_TOLERANCE_MS) return false;
    const fromCreate = expiry - (profileMade + days * DAY_MS);
    return fromCreate >= -EXPIRY_TOLERANCE_MS && fromCreate <= ISSUED_WITH_PROFILE_MS;
}

/** Dates before this are placeholders (the minimum date), not a profile's making. */
const EARLIEST_REAL_DATE_MS = Date.parse("2000-01-01T00:00:00Z");
/**
 * How long after its create a profile's first token is issued, at most: within the run that made it (the create
 * asks for it again while the new profile answers 404, for intune:consistencyTimeoutSeconds, 2 minutes by default).
 */
const ISSUED_WITH_PROFILE_MS = 3600_000;

/** A fixed tokenExpirationDateTime declared and gone by (its time), or undefined. */
export function declaredExpiryPassed(news: Props, now: number): number | undefined {
    const at = news.tokenExpirationDateTime;
    if (typeof at !== "string" || at === UNKNOWN) return undefined;
    const ms = Date.parse(at);
    return ms <= now ? ms : undefined;
}

/**
 * Why the current token must be replaced, or undefined if it is fine: none yet, expired or revoked, inside the
 * renewal window, or issued for another validity than the one now declared.
 */
export function tokenRenewalReason(kind: ProfileKind, olds: Props, news: Props, now: number): string | undefined {
    if (kind.tokenRuleInputs.some((k) => news[k] === UNKNOWN)) return undefined;
    // The token ended on the date the program fixed: no token can be issued to expire on a day gone by.
    if (declaredExpiryPassed(news, now) !== undefined) return undefined;
    if (!hasToken(olds)) return "the profile has no enrollment token";
    const rules = kind.tokenRules(news);
    if (tokenExpired(rules, olds, now)) return "the enrollment token has expired or was revoked";
    if (!rules.expires) return undefined;
    const expiry = expiryMs(olds.tokenExpirationDateTime);
    const renewDays = news.renewTokenWithinDays;
    if (expiry !== undefined && typeof renewDays === "number" && expiry - now <= renewDays * DAY_MS) {
        return `the enrollment token expires within ${renewDays} days (on ${new Date(expiry).toISOString()})`;
    }
    if (news.tokenValidityDays === UNKNOWN || news.tokenExpirationDateTime === UNKNOWN) return "the token validity is not known yet";
    if (
        typeof news.tokenExpirationDateTime === "string" &&
        (expiry === undefined || Math.abs(Date.parse(news.tokenExpirationDateTime) - expiry) > EXPIRY_TOLERANCE_MS)
    ) {
        return `tokenExpirationDateTime changed to ${news.tokenExpirationDateTime}`;
    }
    if (news.tokenValidityDays !== undefined && news.tokenValidityDays !== olds.tokenValidityDays && !issuedFor(olds, news.tokenValidityDays, rules, now)) {
        return `tokenValidityDays changed from ${olds.tokenValidityDays === undefined ? "the default" : String(olds.tokenValidityDays)} to ${String(news.tokenValidityDays)}`;
    }
    return undefined;
}

/**
 * Whether an entity read back carries the token we expect after issuing one: a new value whose QR code carries it,
 * and, for token types that expire, the expiry asked for.
 */
export function tokenIsFresh(rules: TokenRules, entity: Props, previousToken: unknown, wantedExpiry: number | undefined): boolean {
    if (!hasToken(entity) || entity.tokenValue === previousToken) return false;
    if (typeof entity.qrCodeContent === "string" && !qrCarriesToken(entity.qrCodeContent, entity.tokenValue as string)) return false;
    if (!rules.expires || wantedExpiry === undefined) return true;
    const expiry = expiryMs(entity.tokenExpirationDateTime);
    return expiry !== undefined && Math.abs(expiry - wantedExpiry) <= EXPIRY_TOLERANCE_MS;
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
