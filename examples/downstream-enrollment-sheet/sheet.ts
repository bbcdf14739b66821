import { EnrollmentMode, renderQrCode } from "pulumi-intune-enrollment";

/**
 * The printable enrollment sheet: plain HTML with one card per profile (QR code, token, expiry), no scripts and no
 * external resources, so it prints the same from any browser and can be opened offline. Pure: data in, text out.
 */

/** One profile as the source stacks export it (their `profiles` output). */
export interface SheetProfile {
    displayName: string;
    /** An Android Enterprise enrollment mode, or "androidForWork" for the legacy profile type. */
    enrollmentMode: EnrollmentMode | "androidForWork" | string;
    profileId: string;
    tokenValue: string | null;
    tokenExpirationDateTime: string | null;
    qrCodeContent: string | null;
    /** Base64 PNG, from a source stack that keeps the image (`includeQrCodeImage: true`); otherwise drawn here from qrCodeContent. */
    qrCodeImage?: string | null;
}

export interface SheetSource {
    /** The stack the profiles come from, e.g. organization/intune-dedicated-kiosk/prod. */
    stack: string;
    profiles: Record<string, SheetProfile>;
}

export interface SheetInput {
    title: string;
    sources: SheetSource[];
    /** "Now", for expiry warnings and the footer. */
    generatedAt: Date;
    /** A token expiring within this many days is flagged (match the stacks' renewTokenWithinDays). */
    warnWithinDays: number;
}

export interface SheetEntry {
    stack: string;
    key: string;
    profile: SheetProfile;
    expiry: Expiry;
}

export type Expiry =
    | { kind: "none" } // no token at all (a legacy profile before its first token, or a revoked one)
    | { kind: "never" } // default fully-managed / work-profile tokens
    | { kind: "expired"; at: Date }
    | { kind: "soon"; at: Date; days: number }
    | { kind: "valid"; at: Date; days: number };

const DAY_MS = 86_400_000;

const MODE_LABELS: Record<EnrollmentMode | "androidForWork", string> = {
    corporateOwnedDedicatedDevice: "Dedicated device (kiosk)",
    corporateOwnedFullyManaged: "Fully managed",
    corporateOwnedWorkProfile: "Corporate-owned work profile",
    corporateOwnedAOSPUserlessDevice: "AOSP userless",
    corporateOwnedAOSPUserAssociatedDevice: "AOSP user-associated",
    androidForWork: "Android for Work (legacy)",
};

export function modeLabel(mode: string): string {
    return (MODE_LABELS as Record<string, string>)[mode] ?? mode;
}

/** Intune writes 0001-01-01 for "no token" and 9999-12-31 for tokens that never expire. */
export function classifyExpiry(profile: Pick<SheetProfile, "tokenValue" | "tokenExpirationDateTime">, now: Date, warnWithinDays: number): Expiry {
    const at = profile.tokenExpirationDateTime ? new Date(profile.tokenExpirationDateTime) : undefined;
    if (!profile.tokenValue || !at || Number.isNaN(at.getTime()) || at.getUTCFullYear() <= 1) return { kind: "none" };
    if (at.getUTCFullYear() >= 9999) return { kind: "never" };
    const days = Math.floor((at.getTime() - now.getTime()) / DAY_MS);
    if (at.getTime() <= now.getTime()) return { kind: "expired", at };
    if (days < warnWithinDays) return { kind: "soon", at, days };
    return { kind: "valid", at, days };
}

/** Every profile of every source, in a stable order (stack, then display name). */
export function sheetEntries(input: SheetInput): SheetEntry[] {
    const entries: SheetEntry[] = [];
    for (const source of input.sources) {
        for (const [key, profile] of Object.entries(source.profiles ?? {})) {
            entries.push({ stack: source.stack, key, profile, expiry: classifyExpiry(profile, input.generatedAt, input.warnWithinDays) });
        }
    }
    return entries.sort((a, b) => a.stack.localeCompare(b.stack) || a.profile.displayName.localeCompare(b.profile.displayName) || a.key.localeCompare(b.key));
}

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

export function escapeHtml(text: string): string {
    return String(text).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

const day = (d: Date): string => d.toISOString().slice(0, 10);

function expiryText(e: Expiry): { text: string; cls: string } {
    switch (e.kind) {
        case "none":
            return { text: "No enrollment token: run <code>pulumi up</code> on the source stack", cls: "bad" };
        case "never":
            return { text: "Token does not expire", cls: "ok" };
        case "expired":
            return { text: `Token EXPIRED on ${day(e.at)}: do not use this sheet, run <code>pulumi up</code> on the source stack`, cls: "bad" };
        case "soon":
            return {
                text: `Token expires ${day(e.at)} (in ${e.days} day${e.days === 1 ? "" : "s"}): it will be renewed, print a new sheet after the next run`,
                cls: "warn",
            };
        case "valid":
            return { text: `Token expires ${day(e.at)} (in ${e.days} days)`, cls: "ok" };
    }
}

function card(entry: SheetEntry): string {
    const p = entry.profile;
    const image = isBase64(p.qrCodeImage)
        ? `<img class="qr" alt="Enrollment QR code for ${escapeHtml(p.displayName)}" src="data:image/png;base64,${p.qrCodeImage}">`
        : `<div class="qr missing">No QR code</div>`;
    const expiry = expiryText(entry.expiry);
    return `  <section class="card">
    <h2>${escapeHtml(p.displayName)}</h2>
    <p class="mode">${escapeHtml(modeLabel(p.enrollmentMode))}</p>
    ${image}
    <p class="expiry ${expiry.cls}">${expiry.text}</p>
    <dl>
      <dt>Enrollment token</dt><dd><code>${escapeHtml(p.tokenValue ?? "none")}</code></dd>
      <dt>Profile id</dt><dd><code>${escapeHtml(p.profileId)}</code></dd>
      <dt>Stack</dt><dd><code>${escapeHtml(entry.stack)}</code> (${escapeHtml(entry.key)})</dd>
    </dl>
  </section>`;
}

const isBase64 = (s: unknown): s is string => typeof s === "string" && /^[A-Za-z0-9+/]+={0,2}$/.test(s);

/**
 * Each profile with its QR code as a PNG: the source stack's image when it kept one, else drawn from qrCodeContent
 * (the source stacks' state holds no image by default). A profile with neither has none, and its card says so.
 */
export async function withQrImages(sources: SheetSource[]): Promise<SheetSource[]> {
    const drawn = async (p: SheetProfile): Promise<SheetProfile> =>
        isBase64(p.qrCodeImage) ? p : { ...p, qrCodeImage: p.qrCodeContent ? await renderQrCode(p.qrCodeContent, "pngBase64") : null };
    return Promise.all(
        sources.map(async (source) => ({
            stack: source.stack,
            profiles: Object.fromEntries(await Promise.all(Object.entries(source.profiles).map(async ([key, p]) => [key, await drawn(p)] as const))),
        })),
    );
}

export function renderEnrollmentSheet(input: SheetInput): string {
    const entries = sheetEntries(input);
    const title = escapeHtml(input.title);
    return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 1.5cm; color: #111; }
  header p, footer { font-size: 0.85em; color: #444; }
  .cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(8cm, 1fr)); gap: 1cm; }
  .card { border: 1px solid #999; border-radius: 6px; padding: 0.6cm; break-inside: avoid; page-break-inside: avoid; }
  .card h2 { margin: 0 0 0.2em; font-size: 1.2em; }
  .mode { margin: 0 0 0.5em; color: #444; }
  .qr { display: block; width: 6cm; height: 6cm; margin: 0 auto; image-rendering: pixelated; }
  .qr.missing { border: 1px dashed #999; line-height: 6cm; text-align: center; }
  .expiry.ok { color: #135e13; } .expiry.warn { color: #8a5a00; font-weight: bold; } .expiry.bad { color: #a00; font-weight: bold; }
  dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.2em 0.6em; font-size: 0.8em; }
  dt { color: #444; } dd { margin: 0; word-break: break-all; }
  @media print { body { margin: 1cm; } .cards { gap: 0.6cm; } }
</style>
</head>
<body>
<header>
  <h1>${title}</h1>
  <p>Scan a QR code from the device's setup wizard (on Android Enterprise devices, tap the welcome screen six times).
  This sheet contains enrollment tokens: anyone holding it can enroll a device into the tenant. Keep it with the
  devices, do not share or commit it, and shred it when the tokens expire.</p>
</header>
<main class="cards">
${entries.length > 0 ? entries.map(card).join("\n") : "  <p>No profiles found in the source stacks.</p>"}
</main>
<footer>
  <p>${entries.length} profile${entries.length === 1 ? "" : "s"} from ${input.sources.map((s) => escapeHtml(s.stack)).join(", ")}; generated ${escapeHtml(input.generatedAt.toISOString())}.</p>
</footer>
</body>
</html>
`;
}
