import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { renderEnrollmentSheet, sheetEntries, SheetProfile, SheetSource, withQrImages } from "./sheet";

/**
 * A second stack for the people who stage devices: it manages nothing in Intune. It reads the `profiles` output of
 * the stacks that do (dedicated-kiosk, fully-managed-and-work-profile, aosp, legacy-android-for-work) through
 * StackReferences, and writes a printable HTML sheet with one QR code per profile (drawn from its qrCodeContent) and
 * the token expiry dates.
 *
 *   pulumi config set sourceStack organization/intune-dedicated-kiosk/dev     # a self-managed backend
 *   pulumi config set sourceStack my-org/intune-dedicated-kiosk/prod          # Pulumi Cloud
 *   pulumi config set --path 'sourceStacks[0]' ...                            # or several stacks
 *
 * Run it after the source stacks' `pulumi up` (for instance as the next job of the pipeline that renews tokens).
 * The sheet is written on `pulumi up` only, never by a preview, and only when its content changed.
 */
const config = new pulumi.Config();
const sourceStackNames = config.getObject<string[]>("sourceStacks") ?? [config.require("sourceStack")];
const outputFile = path.resolve(config.get("outputFile") ?? "enrollment-sheet.html");
const title = config.get("title") ?? "Android device enrollment";
const warnWithinDays = config.getNumber("warnWithinDays") ?? 14;

const sources: pulumi.Output<SheetSource>[] = sourceStackNames.map((name) => {
    const stack = new pulumi.StackReference(name);
    // The tokens and QR codes inside are secret, so this Output is secret too: it is only ever turned into the
    // file below, never exported.
    return stack.requireOutput("profiles").apply((profiles) => ({ stack: name, profiles: profiles as Record<string, SheetProfile> }));
});

const generatedAt = new Date();
const sheet = pulumi.all(sources).apply(async (list) => {
    const input = { title, sources: await withQrImages(list), generatedAt, warnWithinDays };
    const html = renderEnrollmentSheet(input);
    if (!pulumi.runtime.isDryRun()) {
        // Compare without the timestamp so that an unchanged sheet is not rewritten on every run.
        const previous = fs.existsSync(outputFile) ? fs.readFileSync(outputFile, "utf8") : "";
        const stamp = /generated [^<]*\./;
        if (previous.replace(stamp, "") !== html.replace(stamp, "")) {
            fs.mkdirSync(path.dirname(outputFile), { recursive: true });
            // Owner-only: the sheet holds enrollment tokens and QR codes. The mode of a write applies only to a new
            // file, so an existing sheet is made owner-only as well.
            fs.writeFileSync(outputFile, html, { mode: 0o600 });
            fs.chmodSync(outputFile, 0o600);
        }
    }
    // What is safe to show: names and dates, no token and no QR code.
    return sheetEntries(input).map((e) => ({
        stack: e.stack,
        displayName: e.profile.displayName,
        tokenExpirationDateTime: e.profile.tokenExpirationDateTime,
        status: e.expiry.kind,
    }));
});

/** Where the sheet is (written by `pulumi up`). */
export const sheetFile = outputFile;
/** Each profile on the sheet with its token expiry; not secret (no token, no QR code). */
export const profilesOnSheet = pulumi.unsecret(sheet);
/** Profiles whose token is missing or expired: non-empty means the sheet must not be used. */
export const unusable = pulumi.unsecret(
    sheet.apply((entries) => entries.filter((e) => e.status === "none" || e.status === "expired").map((e) => e.displayName)),
);
