import { expect } from "chai";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EXAMPLES_DIR, runWithMocks } from "./support/examples";
import { decodeQrPng } from "./support/profiles";
import { MOCK_DEPLOYER, MockResource, MockRunResult, TINY_PNG } from "./support/examplesMockProgram";

/**
 * The logic of three example programs, run under Pulumi's mocks (no engine, no Graph): what the kiosk program declares
 * and exports, and the enrollment sheet the downstream program writes from another stack's outputs. The engine
 * runs of the examples belong to the end-to-end suites; this proves the programs themselves do what their READMEs say.
 */
describe("examples: program logic under Pulumi mocks", function () {
    this.timeout(120_000);
    let cwd: string;
    beforeEach(() => {
        cwd = mkdtempSync(join(tmpdir(), "intune-example-run-"));
    });
    afterEach(() => rmSync(cwd, { recursive: true, force: true }));

    describe("dedicated-kiosk", () => {
        it("declares one dedicated profile with a 90-day token renewed in its last 14 days, scope tags and a name template, and exports its QR code as a secret", async () => {
            const run = await runWithMocks({
                example: join(EXAMPLES_DIR, "dedicated-kiosk"),
                project: "intune-dedicated-kiosk",
                stack: "dev",
                config: {},
                preview: false,
                cwd,
            });
            expect(run.error).to.equal(undefined);
            const profiles = run.resources.filter((r) => r.type === "pulumi-nodejs:dynamic/intune:AndroidDeviceOwnerEnrollmentProfile");
            expect(profiles).to.have.length(1);
            expect(profiles[0].name).to.equal("kiosk");
            expect(profiles[0].inputs).to.include({
                displayName: "Warehouse scanners",
                enrollmentMode: "corporateOwnedDedicatedDevice",
                tokenValidityDays: 90,
                renewTokenWithinDays: 14,
                deviceNameTemplate: "SCAN-{{SERIALLAST4DIGITS}}",
                includeQrCodeImage: true,
            });
            expect(profiles[0].inputs.roleScopeTagIds).to.deep.equal(["0"]);
            expect((profiles[0].inputs.deviceNameTemplate as string).length).to.be.at.most(63);

            expect(run.exports.qrCodeContent).to.deep.equal({ value: JSON.stringify({ token: "TOKEN-kiosk" }), secret: true });
            expect(run.exports.qrCodePng).to.deep.equal({ value: TINY_PNG, secret: true });
            expect(run.exports.tokenValue.secret).to.equal(true);
            expect(run.exports.profileId).to.deep.equal({ value: "00000000-0000-4000-8000-000000000001", secret: false });
            expect(run.exports.tokenExpirationDateTime.secret).to.equal(false);
            // The contract examples/downstream-enrollment-sheet reads.
            expect(run.exports.profiles.secret).to.equal(true);
            expect(Object.keys(run.exports.profiles.value as object)).to.deep.equal(["kiosk"]);
            expect((run.exports.profiles.value as Record<string, object>).kiosk).to.have.all.keys(
                "displayName",
                "enrollmentMode",
                "profileId",
                "tokenValue",
                "tokenExpirationDateTime",
                "qrCodeContent",
                "qrCodeImage",
            );
        });

        it("takes the display name and scope tags from stack config (numbers as `pulumi config set --path` stores them)", async () => {
            const run = await runWithMocks({
                example: join(EXAMPLES_DIR, "dedicated-kiosk"),
                project: "intune-dedicated-kiosk",
                stack: "dev",
                preview: false,
                cwd,
                config: { displayName: "Dock scanners", scopeTagIds: '[0, "12"]' },
            });
            expect(run.error).to.equal(undefined);
            expect(run.resources[0].inputs).to.include({ displayName: "Dock scanners" });
            expect(run.resources[0].inputs.roleScopeTagIds).to.deep.equal(["0", "12"]);
        });
    });

    describe("downstream-enrollment-sheet", () => {
        const day = 86_400_000;
        // `image` undefined: the source stack keeps no image (the default), so the sheet draws it from qrCodeContent.
        const profile = (name: string, mode: string, token: string | null, expiresInDays: number | "never", image?: string | null) => ({
            displayName: name,
            enrollmentMode: mode,
            profileId: `id-${token ?? "none"}`,
            tokenValue: token,
            tokenExpirationDateTime: expiresInDays === "never" ? "9999-12-31T23:59:59.9999999Z" : new Date(Date.now() + expiresInDays * day).toISOString(),
            qrCodeContent: token && JSON.stringify({ token }),
            qrCodeImage: image,
        });
        const kioskStack = "organization/intune-dedicated-kiosk/dev";
        const corporateStack = "organization/intune-fully-managed-and-work-profile/dev";
        const stackOutputs = {
            [kioskStack]: { profiles: { kiosk: profile("Warehouse <scanners> & co", "corporateOwnedDedicatedDevice", "12345678901234567890", 80) } },
            [corporateStack]: {
                profiles: {
                    fullyManaged: profile("Contoso fully managed", "corporateOwnedFullyManaged", "FMTOKEN1", "never", TINY_PNG),
                    staging: profile("Contoso staging", "corporateOwnedWorkProfile", "STAGING1", 5, TINY_PNG),
                    expired: profile("Old kiosk", "corporateOwnedDedicatedDevice", "EXPIRED1", -2, "not base64 <script>"),
                    unissued: profile("Unissued", "corporateOwnedWorkProfile", null, "never", null),
                },
            },
        };

        it("writes a printable sheet with one QR code per profile of every source stack, expiry dates and warnings", async () => {
            const run = await runWithMocks({
                example: join(EXAMPLES_DIR, "downstream-enrollment-sheet"),
                project: "intune-enrollment-sheet",
                stack: "dev",
                preview: false,
                cwd,
                config: { sourceStacks: JSON.stringify([kioskStack, corporateStack]), outputFile: "out/sheet.html" },
                stackOutputs,
            });
            expect(run.error).to.equal(undefined);
            expect(run.resources.filter((r) => r.type === "pulumi:pulumi:StackReference").map((r) => r.inputs.name)).to.deep.equal([
                kioskStack,
                corporateStack,
            ]);

            const file = join(cwd, "out", "sheet.html");
            expect(run.exports.sheetFile).to.deep.equal({ value: file, secret: false });
            const html = readFileSync(file, "utf8");
            expect(statSync(file).mode & 0o777, "owner-only: the sheet holds tokens").to.equal(0o600);
            expect(html).to.match(/^<!DOCTYPE html>/);
            expect(html.match(/<section class="card">/g)).to.have.length(5);
            // A source stack's kept image is used as it is; otherwise (or when it is not base64) the code is drawn.
            expect(html.match(new RegExp(`<img class="qr" alt="[^"]*" src="data:image/png;base64,${TINY_PNG.replace(/[+/]/g, "\\$&")}">`, "g"))).to.have.length(
                2,
            );
            const drawn = [...html.matchAll(/<img class="qr" alt="Enrollment QR code for ([^"]*)" src="data:image\/png;base64,([^"]+)">/g)]
                .filter((m) => m[2] !== TINY_PNG)
                .map((m) => [m[1], decodeQrPng(m[2])]);
            expect(drawn).to.deep.equal([
                ["Warehouse &lt;scanners&gt; &amp; co", JSON.stringify({ token: "12345678901234567890" })],
                ["Old kiosk", JSON.stringify({ token: "EXPIRED1" })],
            ]);
            expect(html, "an image that is not base64 is not embedded").to.not.include("not base64");
            expect(html, "a profile with no token has no code").to.include("No QR code");
            expect(html, "names are escaped").to.include("Warehouse &lt;scanners&gt; &amp; co").and.not.include("<scanners>");
            expect(html).to.include(`Token expires ${stackOutputs[kioskStack].profiles.kiosk.tokenExpirationDateTime.slice(0, 10)} (in 79 days)`);
            expect(html).to.include("Token does not expire");
            expect(html).to.match(/Token expires \d{4}-\d\d-\d\d \(in [45] days\): it will be renewed/);
            expect(html).to.include("Token EXPIRED on");
            expect(html).to.include("12345678901234567890").and.include("Dedicated device (kiosk)").and.include("Fully managed");
            expect(html).to.not.match(/<script/i);

            const listed = run.exports.profilesOnSheet;
            expect(listed.secret, "names and dates only: not secret").to.equal(false);
            expect((listed.value as { displayName: string; status: string }[]).map((e) => `${e.displayName}: ${e.status}`)).to.deep.equal([
                "Warehouse <scanners> & co: valid",
                "Contoso fully managed: never",
                "Contoso staging: soon",
                "Old kiosk: expired",
                "Unissued: none",
            ]);
            expect(JSON.stringify(listed.value)).to.not.include("TOKEN").and.not.include("12345678901234567890");
            expect(run.exports.unusable).to.deep.equal({ value: ["Old kiosk", "Unissued"], secret: false });
        });

        it("reads one stack named by `sourceStack`, and writes nothing during a preview", async () => {
            const run = await runWithMocks({
                example: join(EXAMPLES_DIR, "downstream-enrollment-sheet"),
                project: "intune-enrollment-sheet",
                stack: "dev",
                preview: true,
                cwd,
                config: { sourceStack: kioskStack },
                stackOutputs,
            });
            expect(run.error).to.equal(undefined);
            expect(run.resources.map((r) => r.inputs.name)).to.deep.equal([kioskStack]);
            expect(existsSync(join(cwd, "enrollment-sheet.html"))).to.equal(false);
            expect(run.exports.sheetFile.value).to.equal(join(cwd, "enrollment-sheet.html"));
        });

        it("leaves an unchanged sheet alone, so its only difference (the timestamp) does not rewrite it on every run", async () => {
            const request = {
                example: join(EXAMPLES_DIR, "downstream-enrollment-sheet"),
                project: "intune-enrollment-sheet",
                stack: "dev",
                preview: false,
                cwd,
                config: { sourceStack: corporateStack },
                stackOutputs,
            };
            await runWithMocks(request);
            const file = join(cwd, "enrollment-sheet.html");
            const past = new Date("2020-01-01T00:00:00Z");
            utimesSync(file, past, past);
            await runWithMocks(request);
            expect(statSync(file).mtime.toISOString(), "not rewritten").to.equal(past.toISOString());
            // A change in a source stack does rewrite it, owner-only even if the old file was readable to others.
            chmodSync(file, 0o644);
            await runWithMocks({ ...request, config: { sourceStack: kioskStack } });
            expect(statSync(file).mtime.getTime()).to.be.greaterThan(past.getTime());
            expect(statSync(file).mode & 0o777).to.equal(0o600);
            expect(readFileSync(file, "utf8")).to.include("Warehouse &lt;scanners&gt;");
        });

        it("fails with Pulumi's own message when no source stack is configured", async () => {
            const run = await runWithMocks({
                example: join(EXAMPLES_DIR, "downstream-enrollment-sheet"),
                project: "intune-enrollment-sheet",
                stack: "dev",
                preview: false,
                cwd,
                config: {},
            });
            expect(run.error).to.match(/Missing required configuration variable 'intune-enrollment-sheet:sourceStack'/);
        });
    });

    describe("kiosk-fleet", () => {
        const PROFILE = "pulumi-nodejs:dynamic/intune:AndroidDeviceOwnerEnrollmentProfile";
        const fleet = (config: Record<string, string> = {}): Promise<MockRunResult> =>
            runWithMocks({ example: join(EXAMPLES_DIR, "kiosk-fleet"), project: "intune-kiosk-fleet", stack: "dev", config, preview: false, cwd });
        /** The mocks number resources in the order they register: the nth gets id ...n. */
        const idOf = (run: MockRunResult, r: MockResource): string => `00000000-0000-4000-8000-${String(run.resources.indexOf(r) + 1).padStart(12, "0")}`;
        const named = (run: MockRunResult, name: string): MockResource => {
            const found = run.resources.find((r) => r.name === name);
            expect(found, `resource ${name}`).to.not.equal(undefined);
            return found!;
        };

        it("per site: a dedicated profile whose enrollment-time group is the static group the Intune provisioning client owns, and a dynamic group by the profile's name", async () => {
            const run = await fleet();
            expect(run.error).to.equal(undefined);
            const sp = named(run, "intune-provisioning-client");
            expect(sp.type).to.equal("azuread:index/servicePrincipal:ServicePrincipal");
            expect(sp.inputs).to.include({ clientId: "f1346770-5b25-470b-88bd-d5744ab7952c", useExisting: true });
            expect(run.resources.filter((r) => r.type === PROFILE).map((r) => r.name)).to.deep.equal(["whs-kiosk", "lobby-kiosk"]);

            for (const [key, site] of [
                ["whs", "Warehouse"],
                ["lobby", "Lobby"],
            ]) {
                const profile = named(run, `${key}-kiosk`);
                const enrolled = named(run, `${key}-enrolled`);
                const byProfile = named(run, `${key}-by-profile`);
                expect(profile.inputs).to.include({ displayName: `Contoso kiosks - ${site}`, enrollmentMode: "corporateOwnedDedicatedDevice" });
                expect(profile.inputs.enrollmentTimeDeviceGroupId, "the profile's enrollment-time group is the static group").to.equal(idOf(run, enrolled));

                expect(enrolled.type).to.equal("azuread:index/group:Group");
                expect(enrolled.inputs.securityEnabled).to.equal(true);
                expect(enrolled.inputs.types ?? [], "static: assigned membership").to.not.include("DynamicMembership");
                expect(enrolled.inputs.dynamicMembership).to.equal(undefined);
                expect(enrolled.inputs.owners).to.have.members([idOf(run, sp), MOCK_DEPLOYER.objectId]);

                expect(byProfile.inputs.types).to.deep.equal(["DynamicMembership"]);
                expect(byProfile.inputs.dynamicMembership).to.deep.equal({
                    enabled: true,
                    rule: `(device.enrollmentProfileName -eq "Contoso kiosks - ${site}")`,
                });
                expect(run.exports.siteOutputs.value).to.have.nested.property(`${key}.enrollmentGroupId`, idOf(run, enrolled));
                expect(run.exports.siteOutputs.value).to.have.nested.property(
                    `${key}.profileGroupRule`,
                    `(device.enrollmentProfileName -eq "Contoso kiosks - ${site}")`,
                );
            }
            expect(named(run, "fleet").inputs.dynamicMembership).to.deep.equal({
                enabled: true,
                rule: '(device.enrollmentProfileName -in ["Contoso kiosks - Warehouse","Contoso kiosks - Lobby"])',
            });
            expect(run.exports.qrCodes.secret).to.equal(true);
        });

        it("renaming the profile changes the rule with it, quotes escaped as the rule syntax wants", async () => {
            const before = await fleet({ sites: '[{"key":"whs","name":"Warehouse"}]' });
            const after = await fleet({ sites: '[{"key":"whs","name":"Dock \\"B\\""}]', namePrefix: "Fabrikam" });
            expect(before.error).to.equal(undefined);
            expect(after.error).to.equal(undefined);
            expect(named(after, "whs-kiosk").inputs.displayName).to.equal('Fabrikam - Dock "B"');
            const rule = (run: MockRunResult) => (named(run, "whs-by-profile").inputs.dynamicMembership as { rule: string }).rule;
            expect(rule(before)).to.equal('(device.enrollmentProfileName -eq "Contoso kiosks - Warehouse")');
            expect(rule(after)).to.equal('(device.enrollmentProfileName -eq "Fabrikam - Dock `"B`"")');
            expect(named(after, "whs-kiosk").inputs.enrollmentTimeDeviceGroupId).to.equal(idOf(after, named(after, "whs-enrolled")));
        });
    });
});
