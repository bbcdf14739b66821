import { expect } from "chai";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { androidDeviceOwnerKind } from "../provider/profiles/kinds/androidDeviceOwner";
import { checkInputs } from "../provider/profiles/validate";
import { REPO_ROOT } from "../scripts/localPulumi";
import { tempDir, useEmulator } from "./support/emulator";
import { PLUGIN_ROOT, pluginWorld, PluginWorld, printed, stackState, yamlProject } from "./support/plugin";

/**
 * The provider plugin through the real engine, installed from the artifact users get: its schema, a Pulumi YAML
 * program (the shipped examples/yaml) through up, a preview with no change, an update and destroy, and a `pulumi
 * import` round trip, all against the emulator. The lifecycle behind it is the dynamic resources' own, which the
 * rest of the suite covers in depth; here, that it reaches every language the same way.
 */

type Json = Record<string, unknown>;
// js-yaml comes with @pulumi/pulumi (and mocha); it has no declarations of its own here.
const yaml = require("js-yaml") as { load(text: string): unknown; dump(value: unknown): string };
const SECRET = "4dabf18193072939515e22adb298388d";
const PROFILE_TYPE = "intune:index:AndroidDeviceOwnerEnrollmentProfile";

describe("end to end: the provider plugin (YAML, pulumi import, the schema)", function () {
    this.timeout(600_000);
    const ctx = useEmulator();
    let world: PluginWorld;

    before(async function () {
        this.timeout(900_000);
        world = await pluginWorld("world");
    });

    it("serves the schema it was built with; the CLI generates an SDK from the installed plugin without a warning", async () => {
        const { stdout } = await world.pulumi(["package", "get-schema", "intune"], PLUGIN_ROOT);
        const built = JSON.parse(readFileSync(join(REPO_ROOT, "dist", "provider", "plugin", "schema.json"), "utf8")) as Json;
        expect(JSON.parse(stdout)).to.deep.equal(built);
        const out = tempDir("intune-sdk");
        const gen = await world.pulumi(["package", "gen-sdk", "intune", "--language", "nodejs", "-o", out], PLUGIN_ROOT);
        expect(
            printed(gen)
                .split("\n")
                .filter((l) => /warning|error/i.test(l)),
        ).to.deep.equal([]);
        const files = readdirSync(join(out, "nodejs"));
        for (const file of [
            "androidDeviceOwnerEnrollmentProfile.ts",
            "androidForWorkEnrollmentProfile.ts",
            "androidEnterpriseEnrollmentSettings.ts",
            "getAndroidDeviceOwnerEnrollmentProfile.ts",
            "getAndroidEnterpriseSettings.ts",
        ])
            expect(files).to.include(file);
    });

    it("runs the YAML example: up, a preview with no change and no profile call, an update, destroy; tokens stay secret", async () => {
        const e = ctx.emulator;
        e.setAndroidEnterprise({ bindStatus: "boundAndValidated", androidDeviceOwnerFullyManagedEnrollmentEnabled: false });
        const dir = await yamlProject(world, e, "yaml-example", join(REPO_ROOT, "examples", "yaml"));

        const up = await world.pulumi(["up", "--yes", "--skip-preview"], dir);
        expect(printed(up)).to.match(/\+ 4 created/);
        const profiles = e.profiles("androidDeviceOwnerEnrollmentProfiles");
        expect(profiles.map((p) => p.displayName).sort()).to.deep.equal(["Staff phones", "Warehouse scanners"]);
        expect(e.androidEnterprise().androidDeviceOwnerFullyManagedEnrollmentEnabled, "the switch the program declares").to.equal(true);

        // Secret in state and in the stack's outputs; the plain token is nowhere in the checkpoint.
        const scanners = profiles.find((p) => p.displayName === "Warehouse scanners")!;
        const { exported, text } = await stackState(world, dir);
        const resource = exported.deployment.resources!.find((r) => r.urn.endsWith("::scanners"))!;
        expect(resource.type).to.equal(PROFILE_TYPE);
        for (const key of ["tokenValue", "qrCodeContent"]) expect(resource.outputs![key], key).to.have.property(SECRET);
        expect(text).to.not.include(String(scanners.tokenValue));
        const outputs = JSON.parse((await world.pulumi(["stack", "output", "--json"], dir)).stdout) as Json;
        expect(outputs.scannersToken).to.equal("[secret]");
        expect(outputs.scannersProfileId).to.equal(scanners.id);
        expect(outputs.boundToManagedGooglePlay).to.equal(true);

        e.clearRequests();
        const preview = await world.pulumi(["preview", "--json"], dir);
        expect((JSON.parse(preview.stdout) as { changeSummary: Json }).changeSummary).to.deep.equal({ same: 4 });
        const profileCalls = e.requests().filter((r) => /EnrollmentProfiles/.test(r.path));
        expect(profileCalls, "a preview with no change asks nothing about the profiles").to.deep.equal([]);

        const project = join(dir, "Pulumi.yaml");
        writeFileSync(project, readFileSync(project, "utf8").replace("Zebra scanners in the distribution centres", "Zebra and Honeywell scanners"));
        e.clearRequests();
        const update = await world.pulumi(["up", "--yes", "--skip-preview"], dir);
        expect(printed(update)).to.match(/~ 1 updated/);
        expect(
            e
                .requests()
                .filter((r) => r.method === "PATCH")
                .map((r) => r.path),
        ).to.deep.equal([`/beta/deviceManagement/androidDeviceOwnerEnrollmentProfiles/${String(scanners.id)}`]);
        expect(e.profiles("androidDeviceOwnerEnrollmentProfiles").find((p) => p.id === scanners.id)!.description).to.equal("Zebra and Honeywell scanners");

        const destroy = await world.pulumi(["destroy", "--yes", "--skip-preview"], dir);
        expect(printed(destroy)).to.match(/- 4 deleted/);
        expect(e.profiles("androidDeviceOwnerEnrollmentProfiles")).to.deep.equal([]);
        expect(e.androidEnterprise().androidDeviceOwnerFullyManagedEnrollmentEnabled, "destroy puts the switch back as found").to.equal(false);
        await world.pulumi(["stack", "rm", "--yes"], dir);
    });

    it("imports a profile made in the portal by id: valid generated code, then an up that changes nothing and issues no token", async () => {
        const e = ctx.emulator;
        const made = await e.createInPortal("androidDeviceOwnerEnrollmentProfiles", {
            displayName: "Front desk tablets",
            description: "Made in the portal",
            enrollmentMode: "corporateOwnedDedicatedDevice",
            deviceNameTemplate: "DESK-{{SERIAL}}",
            roleScopeTagIds: ["0"],
        });
        const id = String(made.id);
        const dir = await yamlProject(world, e, "yaml-import", join(REPO_ROOT, "test", "fixtures", "yaml-empty"));

        const out = join(dir, "imported.yaml");
        const imported = await world.pulumi(["import", PROFILE_TYPE, "desk", id, "--yes", "--out", out], dir);
        expect(printed(imported)).to.match(/= 1 imported/);
        const code = readFileSync(out, "utf8");
        expect(code, "the generated code holds no token or QR code").to.not.include(String(made.tokenValue));
        const generated = yaml.load(code) as { resources: Record<string, { type: string; properties: Json; options?: Json }> };
        expect(generated.resources.desk.type).to.equal("intune:AndroidDeviceOwnerEnrollmentProfile");
        expect(generated.resources.desk.properties).to.deep.equal({
            description: "Made in the portal",
            deviceNameTemplate: "DESK-{{SERIAL}}",
            displayName: "Front desk tablets",
            enrollmentMode: "corporateOwnedDedicatedDevice",
        });
        const { exported, text } = await stackState(world, dir);
        const desk = exported.deployment.resources!.find((r) => r.urn.endsWith("::desk"))!;
        expect(desk.id).to.equal(id);
        for (const key of ["tokenValue", "qrCodeContent"]) expect(desk.outputs![key], key).to.have.property(SECRET);
        expect(text).to.not.include(String(made.tokenValue));

        // The generated code, pasted into the program as the CLI says: the next run finds nothing to do.
        const project = join(dir, "Pulumi.yaml");
        const program = yaml.load(readFileSync(project, "utf8")) as Json;
        writeFileSync(project, yaml.dump({ ...program, resources: generated.resources }));
        e.clearRequests();
        const preview = await world.pulumi(["preview", "--json"], dir);
        expect((JSON.parse(preview.stdout) as { changeSummary: Json }).changeSummary).to.deep.equal({ same: 2 });
        const up = await world.pulumi(["up", "--yes", "--skip-preview"], dir);
        expect(printed(up)).to.not.match(/updated|created|replaced/);
        expect(
            e.requests().filter((r) => r.method !== "GET"),
            "no write, no new token",
        ).to.deep.equal([]);
        expect(e.profiles("androidDeviceOwnerEnrollmentProfiles").find((p) => p.id === id)!.tokenValue).to.equal(made.tokenValue);

        // Imported resources are protected; a user lets go of one this way.
        await world.pulumi(["state", "unprotect", desk.urn, "--yes"], dir);
        await world.pulumi(["destroy", "--yes", "--skip-preview"], dir);
        expect(e.profiles("androidDeviceOwnerEnrollmentProfiles")).to.deep.equal([]);
        await world.pulumi(["stack", "rm", "--yes"], dir);
    });

    it("refuses a misspelt config key and a bad property before any Graph call, in the same words as the TypeScript package", async () => {
        const e = ctx.emulator;
        const dir = await yamlProject(world, e, "yaml-mistakes", join(REPO_ROOT, "test", "fixtures", "yaml-empty"));
        const project = join(dir, "Pulumi.yaml");
        const program = yaml.load(readFileSync(project, "utf8")) as Json;
        const declare = (properties: Json): void =>
            writeFileSync(project, yaml.dump({ ...program, resources: { kiosk: { type: "intune:AndroidDeviceOwnerEnrollmentProfile", properties } } }));
        const kiosk = { displayName: "Kiosks", enrollmentMode: "corporateOwnedDedicatedDevice" };
        declare(kiosk);
        await world.pulumi(["config", "set", "intune:tenantID", e.tenantId], dir);
        e.clearRequests();
        const misspelt = await world.pulumi(["preview"], dir, true);
        expect(misspelt.code).to.not.equal(0);
        expect(printed(misspelt)).to.include("tenantID").and.to.include("did you mean `tenantId`?");
        await world.pulumi(["config", "rm", "intune:tenantID"], dir);

        // A value of the schema's type that the provider's own check refuses, with the TypeScript package's words.
        const tooLong = { ...kiosk, tokenValidityDays: 30000 };
        declare(tooLong);
        const bad = await world.pulumi(["preview"], dir, true);
        expect(bad.code).to.not.equal(0);
        const [failure] = checkInputs(androidDeviceOwnerKind, {}, tooLong, undefined).failures;
        expect(failure.property).to.equal("tokenValidityDays");
        expect(printed(bad)).to.include(failure.reason);
        expect(e.requests().filter((r) => /EnrollmentProfiles/.test(r.path))).to.deep.equal([]);
        expect(existsSync(join(dir, ".intune-emulator")), "no stand-in was started").to.equal(false);
        await world.pulumi(["stack", "rm", "--yes"], dir);
    });
});
