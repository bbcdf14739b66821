import { expect } from "chai";
import { resolve } from "node:path";
import { RunningEmulator } from "../emulator";
import { useEmulator } from "./support/emulator";
import { SERVER_OUTPUTS } from "./support/profiles";
import {
    DEVICE_OWNER_TYPE,
    DynamicProviderHost,
    FOR_WORK_TYPE,
    HostCallError,
    Props,
    providerText,
    stackConfigFor,
    UNKNOWN_VALUE,
    urnFor,
} from "./support/hostClient";

/**
 * Tier 3: the real `@pulumi/pulumi` dynamic-provider host, spawned from the repo root as the engine spawns
 * `pulumi-resource-pulumi-nodejs`, driven over gRPC with the providers serialized as `pulumi.dynamic.Resource` does.
 */

const REPO_ROOT = resolve(__dirname, "..", "..");
const DEVICE_OWNERS = "androidDeviceOwnerEnrollmentProfiles";
const FOR_WORK = "androidForWorkEnrollmentProfiles";

const kioskUrn = urnFor(DEVICE_OWNER_TYPE, "kiosk");
const legacyUrn = urnFor(FOR_WORK_TYPE, "legacy");

function targetOf(emulator: RunningEmulator) {
    return {
        graphUrl: emulator.graphUrl,
        authorityHost: emulator.authorityHost,
        tenantId: emulator.tenantId,
        clientId: emulator.defaultApp.clientId,
        clientSecret: emulator.defaultApp.secret,
        caPath: emulator.caPath,
    };
}

async function expectHostError(call: Promise<unknown>): Promise<HostCallError> {
    try {
        await call;
    } catch (err) {
        expect(err).to.be.instanceOf(HostCallError);
        return err as HostCallError;
    }
    throw new Error("expected the host to answer with an error");
}

function profileIds(emulator: RunningEmulator, collection: typeof DEVICE_OWNERS | typeof FOR_WORK): string[] {
    return emulator.profiles(collection).map((p) => String(p.id));
}

describe("the Pulumi dynamic-provider host over gRPC", function () {
    this.timeout(120_000);
    const ctx = useEmulator();
    let deviceOwnerText: string;
    let forWorkText: string;

    before(async () => {
        deviceOwnerText = providerText("androidDeviceOwnerEnrollmentProfile");
        forWorkText = providerText("androidForWorkEnrollmentProfile");
    });

    const kioskInputs = (extra: Props = {}): Props => ({
        displayName: "Warehouse scanners",
        enrollmentMode: "corporateOwnedDedicatedDevice",
        tokenValidityDays: 30,
        roleScopeTagIds: ["0"],
        __provider: deviceOwnerText,
        ...extra,
    });

    describe("configured with the stack config", () => {
        let host: DynamicProviderHost;
        let configured: { acceptSecrets: boolean };

        before(async function () {
            this.timeout(60_000);
            host = await DynamicProviderHost.start({ cwd: REPO_ROOT });
            configured = await host.configure(stackConfigFor(targetOf(ctx.emulator)));
        });
        after(async () => {
            await host?.stop();
        });

        /** Check then Create, as the engine does for a new resource. */
        async function createKiosk(extra: Props = {}): Promise<{ id: string; inputs: Props; outs: Props }> {
            const checked = await host.check(kioskUrn, {}, kioskInputs(extra));
            expect(checked.failures).to.deep.equal([]);
            const created = await host.create(kioskUrn, checked.inputs);
            return { id: created.id, inputs: checked.inputs, outs: created.properties };
        }

        it("accepts the stack config with the client secret as a Pulumi secret, and answers that it does not accept secrets", async () => {
            expect(configured.acceptSecrets).to.equal(false);
            // The secret was unwrapped: signing in with it works (a wrapped value would be sent as JSON and refused).
            const { id } = await createKiosk();
            expect(profileIds(ctx.emulator, DEVICE_OWNERS)).to.deep.equal([id]);
        });

        it("Check returns good inputs unchanged, with __provider, and without calling Graph", async () => {
            const checked = await host.check(kioskUrn, {}, kioskInputs({ description: "Scanners in aisle 4" }));
            expect(checked.failures).to.deep.equal([]);
            expect(checked.inputs).to.deep.equal(kioskInputs({ description: "Scanners in aisle 4" }));
            expect(ctx.emulator.requests()).to.deep.equal([]);
        });

        it("Check turns every bad input into a CheckFailure naming the property, all at once", async () => {
            const checked = await host.check(
                kioskUrn,
                {},
                kioskInputs({
                    enrollmentMode: "kioskMode",
                    deviceNameTemplate: "x".repeat(70),
                    tokenValidityDays: 0,
                    wifiSsid: "Warehouse",
                    colour: "blue",
                }),
            );
            const properties = checked.failures.map((f) => f.property);
            expect(properties).to.include.members(["enrollmentMode", "deviceNameTemplate", "tokenValidityDays", "colour"]);
            const mode = checked.failures.find((f) => f.property === "enrollmentMode")!;
            expect(mode.reason).to.contain("corporateOwnedDedicatedDevice");
            expect(ctx.emulator.requests()).to.deep.equal([]);
        });

        it("Check reports the Wi-Fi and token rules across properties for a valid mode", async () => {
            const checked = await host.check(
                kioskUrn,
                {},
                kioskInputs({ enrollmentMode: "corporateOwnedAOSPUserlessDevice", tokenValidityDays: 120, wifiPassword: "secret" }),
            );
            const byProperty = Object.fromEntries(checked.failures.map((f) => [f.property, f.reason]));
            expect(byProperty).to.have.keys(["tokenValidityDays", "wifiSsid"]);
            expect(byProperty.tokenValidityDays).to.contain("90");
        });

        it("Create returns the profile id and the complete properties, __provider included", async () => {
            const { id, outs } = await createKiosk();
            expect(id).to.match(/^[0-9a-f-]{36}$/);
            expect(outs).to.include.all.keys(SERVER_OUTPUTS.deviceOwner);
            expect(outs).to.include({
                profileId: id,
                displayName: "Warehouse scanners",
                enrollmentMode: "corporateOwnedDedicatedDevice",
                tokenValidityDays: 30,
                __provider: deviceOwnerText,
            });
            expect(outs, "no image in state unless asked for").to.not.have.property("qrCodeImage");
            const stored = ctx.emulator.profiles(DEVICE_OWNERS).find((p) => p.id === id)!;
            expect(outs.tokenValue).to.be.a("string").and.equal(stored.tokenValue);
            expect(outs.qrCodeContent).to.be.a("string").and.contain(String(stored.tokenValue));
            const expiresInDays = (Date.parse(String(outs.tokenExpirationDateTime)) - ctx.emulator.now()) / 86_400_000;
            expect(expiresInDays).to.be.within(29.9, 30.1);
        });

        it("the serialized provider in the properties holds no credential or setting", async () => {
            const { outs } = await createKiosk();
            const text = String(outs.__provider);
            for (const secret of [ctx.emulator.defaultApp.secret, ctx.emulator.defaultApp.clientId, ctx.emulator.tenantId, ctx.emulator.graphUrl]) {
                expect(text).not.to.contain(secret);
            }
        });

        it("Read (refresh) returns the live properties and inputs, both with __provider", async () => {
            const { id, inputs, outs } = await createKiosk({ description: "Aisle 4" });
            const read = await host.read(kioskUrn, id, outs, inputs);
            expect(read.id).to.equal(id);
            expect(read.properties).to.deep.equal(outs);
            expect(read.inputs).to.include({ displayName: "Warehouse scanners", description: "Aisle 4", tokenValidityDays: 30, __provider: deviceOwnerText });
        });

        it("a change made in the portal shows as drift on Read, Diff sees it, and Update puts it back", async () => {
            const { id, inputs, outs } = await createKiosk();
            ctx.emulator.changeInPortal(DEVICE_OWNERS, id, { displayName: "Renamed in the portal" });

            const read = await host.read(kioskUrn, id, outs, inputs);
            expect(read.properties.displayName).to.equal("Renamed in the portal");
            expect(read.inputs!.displayName).to.equal("Renamed in the portal");
            expect(read.properties.__provider).to.equal(deviceOwnerText);

            const diff = await host.diff(kioskUrn, id, read.properties, inputs);
            expect(diff).to.deep.equal({ changes: "some", replaces: [], deleteBeforeReplace: false });

            const updated = await host.update(kioskUrn, id, read.properties, inputs);
            expect(updated.properties.displayName).to.equal("Warehouse scanners");
            expect(ctx.emulator.profiles(DEVICE_OWNERS).find((p) => p.id === id)!.displayName).to.equal("Warehouse scanners");
        });

        it("Read of a profile deleted out of band answers an empty id, so the engine drops it from the stack", async () => {
            const { id, inputs, outs } = await createKiosk();
            expect(ctx.emulator.deleteInPortal(DEVICE_OWNERS, id)).to.equal(true);
            const read = await host.read(kioskUrn, id, outs, inputs);
            expect(read.id).to.equal("");
        });

        it("Diff answers no change for the same inputs, even when the provider code (__provider) changed, without calling Graph", async () => {
            const { id, inputs, outs } = await createKiosk();
            ctx.emulator.clearRequests();
            expect(await host.diff(kioskUrn, id, outs, inputs)).to.deep.equal({ changes: "none", replaces: [], deleteBeforeReplace: false });
            const edited = { ...inputs, __provider: deviceOwnerText.replace("exports.handler", "/* edited */ exports.handler") };
            expect(await host.diff(kioskUrn, id, outs, edited)).to.deep.equal({ changes: "none", replaces: [], deleteBeforeReplace: false });
            expect(ctx.emulator.requests()).to.deep.equal([]);
        });

        it("Diff updates a description in place and replaces the profile for a new enrollmentMode", async () => {
            const { id, outs } = await createKiosk();
            const described = await host.check(kioskUrn, outs, kioskInputs({ description: "Aisle 5" }));
            expect(await host.diff(kioskUrn, id, outs, described.inputs)).to.deep.equal({ changes: "some", replaces: [], deleteBeforeReplace: false });

            const remoded = await host.check(
                kioskUrn,
                outs,
                kioskInputs({ enrollmentMode: "corporateOwnedFullyManaged", enrollmentTokenType: "deviceStaging" }),
            );
            expect(remoded.failures).to.deep.equal([]);
            const diff = await host.diff(kioskUrn, id, outs, remoded.inputs);
            expect(diff.changes).to.equal("some");
            expect(diff.replaces).to.include("enrollmentMode");
        });

        it("during preview, Check passes unknown values through and Diff counts them as changes (a replace for enrollmentMode)", async () => {
            const { id, outs } = await createKiosk();
            const previewed = await host.check(kioskUrn, outs, kioskInputs({ description: UNKNOWN_VALUE, enrollmentMode: UNKNOWN_VALUE }));
            expect(previewed.failures).to.deep.equal([]);
            expect(previewed.inputs).to.include({ description: UNKNOWN_VALUE, enrollmentMode: UNKNOWN_VALUE });
            const diff = await host.diff(kioskUrn, id, outs, previewed.inputs);
            expect(diff).to.deep.equal({ changes: "some", replaces: ["enrollmentMode"], deleteBeforeReplace: false });
        });

        it("Update patches in place and returns the complete properties, keeping the token", async () => {
            const { id, outs } = await createKiosk();
            const news = await host.check(kioskUrn, outs, kioskInputs({ description: "Aisle 5" }));
            const updated = await host.update(kioskUrn, id, outs, news.inputs);
            expect(updated.properties).to.include.all.keys(SERVER_OUTPUTS.deviceOwner);
            expect(updated.properties).to.include({
                profileId: id,
                description: "Aisle 5",
                tokenValue: outs.tokenValue,
                tokenExpirationDateTime: outs.tokenExpirationDateTime,
                __provider: deviceOwnerText,
            });
            expect(ctx.emulator.profiles(DEVICE_OWNERS).find((p) => p.id === id)!.description).to.equal("Aisle 5");
        });

        it("Delete removes the profile, and deleting it again succeeds", async () => {
            const { id, outs } = await createKiosk();
            await host.delete(kioskUrn, id, outs);
            expect(profileIds(ctx.emulator, DEVICE_OWNERS)).not.to.include(id);
            await host.delete(kioskUrn, id, outs);
        });

        it("runs the legacy Android for Work profile through Check, Create (with its token), Read and Delete", async () => {
            const checked = await host.check(legacyUrn, {}, { displayName: "COSU legacy", __provider: forWorkText });
            expect(checked.failures).to.deep.equal([]);
            const created = await host.create(legacyUrn, checked.inputs);
            expect(created.properties).to.include.all.keys(SERVER_OUTPUTS.forWork);
            expect(created.properties).to.include({ profileId: created.id, displayName: "COSU legacy", __provider: forWorkText });
            expect(created.properties.tokenValue).to.be.a("string").and.not.equal("");

            const read = await host.read(legacyUrn, created.id, created.properties, checked.inputs);
            expect(read.id).to.equal(created.id);
            expect(read.properties.tokenValue).to.equal(created.properties.tokenValue);

            await host.delete(legacyUrn, created.id, read.properties);
            expect(profileIds(ctx.emulator, FOR_WORK)).to.deep.equal([]);
        });

        it("a create whose token fails after the POST reports ErrorResourceInitFailed with the id and properties, and Update then finishes it", async () => {
            // This service ignores the first token's expiry in the POST, so a createToken is needed; it fails.
            ctx.emulator.setBehaviour({ createHonoursTokenExpiration: false });
            try {
                ctx.emulator.setFaults({ rules: [{ method: "POST", path: "createToken", status: 400, times: 50 }] });
                const checked = await host.check(kioskUrn, {}, kioskInputs());
                const err = await expectHostError(host.create(kioskUrn, checked.inputs));
                const failure = err.initFailure!;
                expect(failure, "the ErrorResourceInitFailed detail").to.not.equal(undefined);
                expect(profileIds(ctx.emulator, DEVICE_OWNERS)).to.deep.equal([failure.id]);
                expect(failure.properties).to.include({ profileId: failure.id, displayName: "Warehouse scanners", __provider: deviceOwnerText });
                expect(failure.reasons).to.have.length(1);
                expect(failure.reasons[0]).to.contain("enrollment token");
                expect(err.details).to.contain(failure.id);

                // The next `pulumi up`: the recorded properties diff as a change and the update issues the token.
                ctx.emulator.clearFaults();
                const diff = await host.diff(kioskUrn, failure.id, failure.properties, checked.inputs);
                expect(diff.changes).to.equal("some");
                expect(diff.replaces).to.deep.equal([]);
                const updated = await host.update(kioskUrn, failure.id, failure.properties, checked.inputs);
                const expiresInDays = (Date.parse(String(updated.properties.tokenExpirationDateTime)) - ctx.emulator.now()) / 86_400_000;
                expect(expiresInDays).to.be.within(29.9, 30.1);
                expect(updated.properties).to.include({ tokenValidityDays: 30, __provider: deviceOwnerText });
            } finally {
                ctx.emulator.setBehaviour({ createHonoursTokenExpiration: true });
            }
        });

        it("a legacy profile created but failed carries __provider, so a later Delete through the host removes it", async () => {
            ctx.emulator.setFaults({ rules: [{ method: "POST", path: "createToken", status: 400, times: 50 }] });
            const checked = await host.check(legacyUrn, {}, { displayName: "COSU legacy", __provider: forWorkText });
            const err = await expectHostError(host.create(legacyUrn, checked.inputs));
            const failure = err.initFailure!;
            expect(failure, "the ErrorResourceInitFailed detail").to.not.equal(undefined);
            expect(failure.properties.__provider).to.equal(forWorkText);
            expect(profileIds(ctx.emulator, FOR_WORK)).to.deep.equal([failure.id]);

            ctx.emulator.clearFaults();
            await host.delete(legacyUrn, failure.id, failure.properties);
            expect(profileIds(ctx.emulator, FOR_WORK)).to.deep.equal([]);
        });
    });

    describe("configuration seen by every operation", () => {
        let host: DynamicProviderHost | undefined;
        afterEach(async () => {
            await host?.stop();
            host = undefined;
        });

        it("three Creates sent together as the first calls after Configure all use the configuration", async () => {
            host = await DynamicProviderHost.start({ cwd: REPO_ROOT });
            await host.configure(stackConfigFor(targetOf(ctx.emulator)));
            const results = await Promise.all([
                host.create(kioskUrn, kioskInputs({ displayName: "Scanners 1" })),
                host.create(urnFor(DEVICE_OWNER_TYPE, "kiosk2"), kioskInputs({ displayName: "Scanners 2" })),
                host.create(legacyUrn, { displayName: "COSU legacy", __provider: forWorkText }),
            ]);
            expect(results.map((r) => r.properties.displayName)).to.deep.equal(["Scanners 1", "Scanners 2", "COSU legacy"]);
            expect(profileIds(ctx.emulator, DEVICE_OWNERS)).to.have.members([results[0].id, results[1].id]);
            expect(profileIds(ctx.emulator, FOR_WORK)).to.deep.equal([results[2].id]);
        });

        it("a configuration error is reported by every operation, not only the first", async () => {
            host = await DynamicProviderHost.start({ cwd: REPO_ROOT });
            await host.configure(stackConfigFor(targetOf(ctx.emulator), { "intune:cloud": "mars" }));
            const h = host;
            const id = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
            const outs = { ...kioskInputs(), profileId: id };
            const calls: [string, () => Promise<unknown>][] = [
                ["Check", () => h.check(kioskUrn, {}, kioskInputs())],
                ["Create", () => h.create(kioskUrn, kioskInputs())],
                ["Check again", () => h.check(kioskUrn, {}, kioskInputs())],
                ["Create of the other type", () => h.create(legacyUrn, { displayName: "COSU legacy", __provider: forWorkText })],
                ["Read", () => h.read(kioskUrn, id, outs, kioskInputs())],
                ["Update", () => h.update(kioskUrn, id, outs, kioskInputs({ description: "x" }))],
                ["Delete", () => h.delete(kioskUrn, id, outs)],
            ];
            for (const [name, call] of calls) {
                const err = await expectHostError(call());
                expect(err.details, name).to.contain("intune:cloud").and.contain("mars");
            }
            expect(ctx.emulator.requests()).to.deep.equal([]);
            expect(host.running()).to.equal(true);
        });

        it("a misspelt intune:* key fails every operation before any sign-in, naming the key and the one meant", async () => {
            host = await DynamicProviderHost.start({ cwd: REPO_ROOT });
            // What `pulumi config set --secret intune:clientSecert ...` leaves: the real secret unset, so without the
            // check the run would fall back to the default credential chain and fail without naming the typo.
            const config = stackConfigFor(targetOf(ctx.emulator));
            const { "intune:clientSecret": secret, ...rest } = config;
            await host.configure({ ...rest, "intune:clientSecert": secret });
            const signIns = ctx.emulator.signIns();
            for (const call of [() => host!.check(kioskUrn, {}, kioskInputs()), () => host!.create(kioskUrn, kioskInputs())]) {
                const err = await expectHostError(call());
                expect(err.details).to.contain("`intune:clientSecert` is not a setting of this provider; did you mean `intune:clientSecret`?");
                expect(err.details).to.not.contain(String(secret));
            }
            expect(ctx.emulator.requests()).to.deep.equal([]);
            expect(ctx.emulator.signIns(), "no sign-in was tried").to.equal(signIns);
        });
    });
});
