import * as t from "io-ts";
import { isLeft } from "fp-ts/Either";
import { ProviderSettings } from "../runtime/settings";
import { Props, RESOURCE_URN, UNKNOWN, ValidityDays } from "./model";
import { CheckFailure, ProfileKind } from "./kind";
import { shownValue } from "./decodeErrors";
import { CREATED_NOT_YET_SHOWN, REQUESTED_EXPIRY } from "./state";
import { attachmentOutputs } from "./attachments";
import { replacingChanges } from "./diff";
import { undeclaredValidityDays } from "./token";

/**
 * `check`: every problem with the inputs, all at once, before anything is sent to Graph. Each failure names the
 * property and what is allowed. Values still unknown (preview) are not judged.
 */

const NOT_INPUTS = new Set(["__provider", RESOURCE_URN]);

export interface CheckOutcome {
    inputs: Props;
    failures: CheckFailure[];
}

/** Inputs that take over an existing profile instead of creating one: they act only when a profile is created. */
const ADOPTION_INPUTS = ["adoptExistingId", "adoptByDisplayName"];

/** `sentSecret`: properties the program marked secret (beside the type's own secrets): their values are never quoted. */
export function checkInputs(
    kind: ProfileKind,
    olds: Props,
    news: Props,
    settings: ProviderSettings | undefined,
    sentSecret: readonly string[] = [],
): CheckOutcome {
    const known = new Set<string>(kind.inputKeys);
    // Outputs a program may hand back as inputs (from another resource's state): accepted, then dropped.
    const echoed = new Set<string>([
        ...kind.serverOutputs,
        ...kind.mimeOutputs,
        ...kind.mimeOutputs.map((k) => `${k}Type`),
        "profileId",
        REQUESTED_EXPIRY,
        CREATED_NOT_YET_SHOWN,
        ...attachmentOutputs(kind),
    ]);
    const failures: CheckFailure[] = [];
    const inputs: Props = {};
    for (const [key, value] of Object.entries(news)) {
        if (NOT_INPUTS.has(key)) continue;
        if (value === undefined || value === null) continue;
        if (!known.has(key) && !echoed.has(key)) {
            failures.push({ property: key, reason: `is not a property of ${kind.typeName}; known properties: ${[...known].sort().join(", ")}` });
            continue;
        }
        if (echoed.has(key) && !known.has(key)) continue;
        inputs[key] = value;
    }
    // Rules across properties judge what the program declares: a cleared value below is not a declaration (a
    // removed Wi-Fi line must not count as "Wi-Fi configured", nor as Wi-Fi on a GMS mode). A value still unknown
    // (preview) is declared but not judged: it stays, so "set" rules see it, and value rules skip it.
    const judged: Props = { ...inputs };

    // A property removed from the program is cleared rather than left as the portal or a past run set it. Not when
    // the profile is replaced: the new one starts from the service's defaults, and a value cleared for the old one
    // may not apply to it (the Wi-Fi settings of an AOSP profile that becomes a GMS one).
    if (replacingChanges(kind, olds, inputs).length === 0) {
        for (const key of kind.writable) {
            if (olds[key] !== undefined && inputs[key] === undefined && key in kind.clearedValues) inputs[key] = kind.clearedValues[key];
        }
    } else {
        // An adoption input kept from the run that took the profile over names the profile this replacement deletes:
        // the new one is created, not adopted again (which would refuse the very change being made).
        for (const key of ADOPTION_INPUTS) if (inputs[key] !== undefined && inputs[key] === olds[key]) delete inputs[key];
    }

    const decodable: Props = {};
    for (const [k, v] of Object.entries(inputs)) if (v !== UNKNOWN && v !== null) decodable[k] = v;
    const decoded = kind.inputs.decode(decodable);
    const undecodable = isLeft(decoded) ? describe(decoded.left, decodable, inputs, [...kind.secrets, ...sentSecret]) : [];
    failures.push(...undecodable);

    failures.push(...kind.crossChecks(judged, settings));
    // Token rules depend on the properties that decide them (mode, token type): with one of them invalid, judging
    // the token only adds noise ("tokenValidityDays has no effect for kioskMode") to the one failure that matters.
    const invalid = new Set(undecodable.map((f) => f.property));
    if (!kind.tokenRuleInputs.some((k) => invalid.has(k))) failures.push(...tokenChecks(kind, judged, sentSecret, standingExpiry(kind, olds, inputs)));
    return { inputs, failures: dedupe(failures) };
}

/**
 * The fixed expiry the profile was already given, declared again unchanged (and the profile not replaced): once that
 * date passes, the token ended as the program says, which is no error; the same date on a new profile is one.
 */
function standingExpiry(kind: ProfileKind, olds: Props, inputs: Props): boolean {
    const at = inputs.tokenExpirationDateTime;
    return (
        typeof at === "string" &&
        typeof olds.tokenExpirationDateTime === "string" &&
        Date.parse(olds.tokenExpirationDateTime) === Date.parse(at) &&
        replacingChanges(kind, olds, inputs).length === 0
    );
}

/** `standing`: the fixed expiry is the one the profile already has (see standingExpiry). */
function tokenChecks(kind: ProfileKind, inputs: Props, sentSecret: readonly string[], standing: boolean): CheckFailure[] {
    const failures: CheckFailure[] = [];
    const got = (key: string, value: unknown): string => (sentSecret.includes(key) ? "" : ` (got ${String(value)})`);
    const { tokenValidityDays: days, tokenExpirationDateTime: at, renewTokenWithinDays: renew } = inputs;
    if (days !== undefined && at !== undefined) {
        failures.push({ property: "tokenExpirationDateTime", reason: "set either tokenValidityDays or tokenExpirationDateTime, not both" });
    }
    if (kind.tokenRuleInputs.some((k) => inputs[k] === UNKNOWN)) return failures;
    // A required property that decides the rules (the mode) and is missing is reported by the codec.
    if (kind.tokenRuleInputs.some((k) => inputs[k] === undefined && kind.required.includes(k))) return failures;
    const rules = kind.tokenRules(inputs);
    if (!rules.expires && (days !== undefined || at !== undefined || renew !== undefined)) {
        const property = days !== undefined ? "tokenValidityDays" : at !== undefined ? "tokenExpirationDateTime" : "renewTokenWithinDays";
        failures.push({ property, reason: `has no effect ${rules.scope}: remove it, or use enrollmentTokenType "deviceStaging" for a token that expires` });
        return failures;
    }
    if (typeof days === "number" && days > rules.maxValidityDays && ValidityDays.is(days)) {
        failures.push({
            property: "tokenValidityDays",
            reason: `must be at most ${rules.maxValidityDays} days ${rules.scope}${got("tokenValidityDays", days)}`,
        });
    }
    if (typeof at === "string" && !Number.isNaN(Date.parse(at))) {
        const seconds = (Date.parse(at) - Date.now()) / 1000;
        if (seconds <= 0) {
            if (!standing) failures.push({ property: "tokenExpirationDateTime", reason: `must be in the future${got("tokenExpirationDateTime", at)}` });
        } else if (seconds > rules.maxValidityDays * 86400) {
            failures.push({
                property: "tokenExpirationDateTime",
                reason: `must be at most ${rules.maxValidityDays} days from now ${rules.scope}${got("tokenExpirationDateTime", at)}`,
            });
        }
    }
    if (typeof renew === "number") {
        if (at !== undefined)
            failures.push({ property: "renewTokenWithinDays", reason: "cannot renew a token with a fixed tokenExpirationDateTime; use tokenValidityDays" });
        // Undeclared, the validity is the one renewals are issued with: a window as long would renew on every run.
        const validity = days === UNKNOWN ? undefined : typeof days === "number" ? days : undeclaredValidityDays(rules);
        if (validity !== undefined && renew >= validity) {
            failures.push({
                property: "renewTokenWithinDays",
                reason: `must be less than the token validity (${validity} days${typeof days === "number" ? "" : ", the default when tokenValidityDays is not declared"}), or every run would issue a new token`,
            });
        }
    }
    return failures;
}

/** io-ts errors → one failure per property: "must be one of ..., got ...". */
function describe(errors: t.Errors, decodable: Props, all: Props, secrets: readonly string[]): CheckFailure[] {
    const failures: CheckFailure[] = [];
    for (const error of errors) {
        const path = error.context.map((c) => c.key).filter((k) => k !== "" && !/^\d+$/.test(k));
        const property = path[0];
        if (!property) continue;
        if (all[property] === UNKNOWN) continue; // not known until apply (preview): not judged
        const expected = error.context[error.context.length - 1]?.type.name ?? "valid";
        const got = decodable[property];
        if (got === undefined && all[property] === undefined) {
            failures.push({ property, reason: `is required (${expected})` });
        } else {
            const shown = shownValue(error.value, secrets.includes(property));
            failures.push({ property, reason: `must be ${expected}, got ${shown}` });
        }
    }
    return failures;
}

function dedupe(failures: CheckFailure[]): CheckFailure[] {
    const seen = new Set<string>();
    return failures.filter((f) => {
        const key = `${f.property}\u0000${f.reason}`;
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
    });
}
