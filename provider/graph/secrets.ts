/**
 * Every secret the process has seen (client secrets, bearer tokens, enrollment tokens, QR content, Wi-Fi passwords)
 * and the one function that scrubs them out of any text that leaves the provider: error messages, log lines, traces.
 * Values are remembered process-wide because an error raised deep in a request must not leak a secret that only
 * the caller knew.
 */

const known = new Set<string>();
/** Searched for anywhere in a text from this length on; a shorter one would scrub innocent text out of words. */
const MIN_LENGTH = 6;
/**
 * Shorter secrets still exist (a WEP-40 key is 5 characters, the shortest Wi-Fi key there is): from this length they
 * are scrubbed where they stand whole, not inside a word. Shorter still, they would hide "true" or a year, and show
 * where they stand.
 */
const MIN_WHOLE_LENGTH = 5;
const shortKnown = new Set<string>();

/** `known`, longest first (so a secret that contains another is removed whole); rebuilt only when a secret is added. */
let longestFirst: string[] | undefined;
/** `shortKnown` as one pattern, rebuilt only when one is added. */
let shortPattern: RegExp | null | undefined;

export function rememberSecret(value: unknown): void {
    if (typeof value !== "string") return;
    if (value.length >= MIN_LENGTH && !known.has(value)) {
        known.add(value);
        longestFirst = undefined;
    } else if (value.length >= MIN_WHOLE_LENGTH && value.length < MIN_LENGTH && !shortKnown.has(value)) {
        shortKnown.add(value);
        shortPattern = undefined;
    }
}

function wholeShortSecrets(): RegExp | null {
    if (shortPattern !== undefined) return shortPattern;
    const alternatives = [...shortKnown].sort((a, b) => b.length - a.length).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    shortPattern = alternatives.length === 0 ? null : new RegExp(`(?<![A-Za-z0-9])(?:${alternatives.join("|")})(?![A-Za-z0-9])`, "g");
    return shortPattern;
}

/** Field names whose values are secret wherever they appear in a Graph body or a form. */
export const SECRET_FIELDS = [
    "tokenValue",
    "qrCodeContent",
    "qrCodeImage",
    "wifiPassword",
    // A company code's token in the tenant's Android Enterprise settings (companyCodes), should the service send them.
    "enrollmentToken",
    "clientSecret",
    "client_secret",
    "client_assertion",
    "access_token",
    "accessToken",
];

const PATTERNS: RegExp[] = [
    /\bBearer\s+[A-Za-z0-9\-._~+/]+=*/gi,
    /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g,
    new RegExp(`("(?:${SECRET_FIELDS.join("|")})"\\s*:\\s*)("(?:[^"\\\\]|\\\\.)*"|\\{[^}]*\\})`, "g"),
    new RegExp(`\\b((?:${SECRET_FIELDS.join("|")})=)[^&\\s]+`, "g"),
];

export function scrub(text: string): string {
    let out = text;
    longestFirst ??= [...known].sort((a, b) => b.length - a.length);
    for (const s of longestFirst) {
        if (out.includes(s)) out = out.split(s).join("[redacted]");
    }
    const short = wholeShortSecrets();
    if (short) out = out.replace(short, "[redacted]");
    out = out.replace(PATTERNS[0], "Bearer [redacted]");
    out = out.replace(PATTERNS[1], "[redacted-jwt]");
    out = out.replace(PATTERNS[2], (_m, key: string) => `${key}"[redacted]"`);
    out = out.replace(PATTERNS[3], (_m, key: string) => `${key}[redacted]`);
    return out;
}

/**
 * A copy of a Graph body with secret fields replaced and every string scrubbed, for traces: scrubbed before the body
 * is written as JSON, whose escapes (`\n`) would join a short secret to a word.
 */
export function redactBody(body: unknown): unknown {
    if (Array.isArray(body)) return body.map(redactBody);
    if (typeof body === "string") return scrub(body);
    if (body === null || typeof body !== "object") return body;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
        out[k] = SECRET_FIELDS.includes(k) && v !== null && v !== undefined ? "[redacted]" : redactBody(v);
    }
    return out;
}
