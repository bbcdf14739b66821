import { rememberSecret } from "../graph/secrets";
import { Props } from "../profiles/model";

/**
 * Values as the engine sends them to a provider that accepts secrets: a secret is an object carrying Pulumi's
 * signature key with the secret signature, and its value (`@pulumi/pulumi/runtime/rpc`'s specialSigKey and
 * specialSecretSig, which the engine's wire format fixes). The lifecycle works on plain values: secrets are taken
 * out on the way in (and remembered, so no message shows them) and put back on the way out, for every property the
 * type declares secret and every one that came in secret.
 */

export const SIGNATURE_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270";

const isSecret = (v: unknown): v is { value?: unknown } =>
    typeof v === "object" && v !== null && (v as Record<string, unknown>)[SIGNATURE_KEY] === SECRET_SIGNATURE;

function plain(v: unknown, found: { secret: boolean }): unknown {
    if (isSecret(v)) {
        found.secret = true;
        rememberSecret(v.value);
        return plain(v.value, found);
    }
    if (Array.isArray(v)) return v.map((x) => plain(x, found));
    if (typeof v === "object" && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x, found)]));
    return v;
}

/** The plain values, and the top-level properties that held a secret anywhere in them. */
export function withoutSecrets(props: Props): { values: Props; secret: Set<string> } {
    const values: Props = {};
    const secret = new Set<string>();
    for (const [key, value] of Object.entries(props)) {
        const found = { secret: false };
        values[key] = plain(value, found);
        if (found.secret) secret.add(key);
    }
    return { values, secret };
}

/** Every string and number inside a value, as it would be quoted in a message. */
function leaves(v: unknown): string[] {
    if (typeof v === "string" || typeof v === "number") return [String(v)];
    if (Array.isArray(v)) return v.flatMap(leaves);
    if (typeof v === "object" && v !== null) return Object.values(v).flatMap(leaves);
    return [];
}

/** Leaves shorter than this are not searched for: they would hide unrelated words, and show where they stand. */
const MIN_HIDDEN_LENGTH = 4;

/**
 * Check failures with the values of properties sent secret hidden wherever a reason quotes them. The lifecycle
 * already leaves them out of its own quotes of those properties (check's `sentSecret`); this catches a rule on
 * another property that names one (a token type judged against a mode). Hidden where it stands as a whole word.
 */
export function withoutSentSecrets<F extends { reason: string }>(failures: F[], values: Props, secret: Iterable<string>): F[] {
    const hidden = [...new Set([...secret].flatMap((key) => leaves(values[key])))]
        .filter((s) => s.length >= MIN_HIDDEN_LENGTH)
        .sort((a, b) => b.length - a.length);
    if (hidden.length === 0) return failures;
    const pattern = new RegExp(`(?<![A-Za-z0-9])(?:${hidden.map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")).join("|")})(?![A-Za-z0-9])`, "g");
    return failures.map((f) => ({ ...f, reason: f.reason.replace(pattern, "[secret]") }));
}

export const asSecret = (value: unknown): Props => ({ [SIGNATURE_KEY]: SECRET_SIGNATURE, value });

/**
 * The values with each of `secret` that is present wrapped as a secret, once: a key may be named twice (secret by
 * its type and sent secret), and the engine keeps a secret inside a secret as it is, so an SDK would hand the
 * program an object. Null stays null: there is nothing to hide.
 */
export function withSecrets(values: Props, secret: Iterable<string>): Props {
    const out: Props = { ...values };
    for (const key of new Set(secret)) if (out[key] !== undefined && out[key] !== null && !isSecret(out[key])) out[key] = asSecret(out[key]);
    return out;
}
