import { expect } from "chai";
import { Behaviour, BEHAVIOUR_VARIANTS } from "../emulator";
import { providers } from "../provider";
import { asDynamic, configureFor, Props, rejectionOf, useProfileEmulator, warningsOf } from "./support/profiles";

/**
 * AndroidEnterpriseEnrollmentSettings, corporate-owned user enrollment declared as code: taken over as found, set,
 * read back as drift, put back as found on destroy; one per program; refusals that say what to do and change
 * nothing; over every reading the emulator can play of what the spec leaves open.
 */

const settings = asDynamic(providers.androidEnterpriseEnrollmentSettings);
const TEXT = "exports.handler = () => undefined;";
const URN = "urn:pulumi:dev::fleet::pulumi-nodejs:dynamic/intune:AndroidEnterpriseEnrollmentSettings::tenant";

async function checkedSettings(news: Props, urn = URN): Promise<Props> {
    const result = await settings.check({}, { ...news, __urn: urn, __provider: TEXT });
    expect(result.failures ?? []).to.deep.equal([]);
    return result.inputs!;
}

describe("AndroidEnterpriseEnrollmentSettings: the tenant's switch for corporate-owned user enrollment", () => {
    const ctx = useProfileEmulator({ androidEnterprise: { androidDeviceOwnerFullyManagedEnrollmentEnabled: false } });
    const live = (): unknown => ctx.emulator.androidEnterprise().androidDeviceOwnerFullyManagedEnrollmentEnabled;

    it("takes the switch over as found, turns it on, and puts it back off on delete", async () => {
        let created: { id: string; outs?: Props } | undefined;
        const warnings = await warningsOf(async () => {
            created = await settings.create(await checkedSettings({ fullyManagedEnrollmentEnabled: true }));
        });
        expect(live()).to.equal(true);
        expect(created!.id).to.equal("androidManagedStoreAccountEnterpriseSettings");
        expect(created!.outs).to.include({ fullyManagedEnrollmentEnabled: true, foundFullyManagedEnrollmentEnabled: false, bindStatus: "boundAndValidated" });
        expect(created!.outs!.tenantId).to.equal(ctx.emulator.tenantId);
        expect(warnings.join("")).to.contain("was off in this tenant and is now on").and.to.contain("puts it back off");
        // Company codes carry enrollment tokens: never in the outputs.
        expect(JSON.stringify(created!.outs)).to.not.contain("ENTERPRISE-COMPANY-CODE-TOKEN");

        await settings.delete(created!.id, created!.outs!);
        expect(live()).to.equal(false);
    });

    it("changes nothing when the switch already is as declared, and leaves it so on delete", async () => {
        ctx.emulator.setAndroidEnterprise({ androidDeviceOwnerFullyManagedEnrollmentEnabled: true });
        ctx.emulator.clearRequests();
        const created = await settings.create(await checkedSettings({ fullyManagedEnrollmentEnabled: true }));
        expect(ctx.emulator.requests().filter((r) => r.method === "POST")).to.deep.equal([]);
        await settings.delete(created.id, created.outs!);
        expect(live()).to.equal(true);
        expect(ctx.emulator.requests().filter((r) => r.method === "POST")).to.deep.equal([]);
    });

    it("shows a change made outside the stack on refresh, puts the declared value back on update, and says another stack may fight it", async () => {
        const created = await settings.create(await checkedSettings({ fullyManagedEnrollmentEnabled: true }));
        ctx.emulator.setAndroidEnterprise({ androidDeviceOwnerFullyManagedEnrollmentEnabled: false });
        let read: Props | undefined;
        const refreshed = await warningsOf(async () => {
            read = await settings.read(created.id, created.outs!);
        });
        expect(read!.inputs).to.deep.equal({ fullyManagedEnrollmentEnabled: false });
        expect(refreshed.join("")).to.contain("turned off outside this stack").and.to.contain("declare it in one stack only");
        const props = read!.props as Props;
        expect((await settings.diff(created.id, props, { fullyManagedEnrollmentEnabled: true })).changes).to.equal(true);
        const updated = await settings.update(created.id, created.outs!, await checkedSettings({ fullyManagedEnrollmentEnabled: true }));
        expect(live()).to.equal(true);
        expect(updated.outs).to.include({ fullyManagedEnrollmentEnabled: true, foundFullyManagedEnrollmentEnabled: false });
    });

    it("leaves the switch on delete when it was changed outside the stack since, and says so", async () => {
        const created = await settings.create(await checkedSettings({ fullyManagedEnrollmentEnabled: true }));
        ctx.emulator.setAndroidEnterprise({ androidDeviceOwnerFullyManagedEnrollmentEnabled: false });
        ctx.emulator.setAndroidEnterprise({ androidDeviceOwnerFullyManagedEnrollmentEnabled: true });
        // Back on: as this stack set it, so delete puts it back as found.
        await settings.delete(created.id, created.outs!);
        expect(live()).to.equal(false);

        const again = await settings.create(await checkedSettings({ fullyManagedEnrollmentEnabled: true }));
        ctx.emulator.setAndroidEnterprise({ androidDeviceOwnerFullyManagedEnrollmentEnabled: false });
        const warnings = await warningsOf(() => settings.delete(again.id, again.outs!));
        expect(warnings.join("")).to.contain("changed outside this stack since it set it on: left as it is");
        expect(live()).to.equal(false);
    });

    it("refuses a second declaration in one program, and any property it does not have, before any request", async () => {
        await checkedSettings({ fullyManagedEnrollmentEnabled: true });
        ctx.emulator.clearRequests();
        const second = await settings.check({}, { fullyManagedEnrollmentEnabled: false, __urn: `${URN}-2`, __provider: TEXT });
        expect(second.failures!.map((f) => f.reason).join(" ")).to.contain("is one switch for the whole tenant, and this program already declares it");
        const wrong = await settings.check(
            {},
            { fullyManagedEnrollmentEnabled: "yes", bindStatus: "bound", deviceOwnerEnabled: true, __urn: URN, __provider: TEXT },
        );
        expect(wrong.failures).to.deep.include({ property: "fullyManagedEnrollmentEnabled", reason: 'must be true or false, got "yes"' });
        expect(wrong.failures!.map((f) => f.property)).to.include("deviceOwnerEnabled");
        expect(ctx.emulator.requests()).to.deep.equal([]);
        // The same resource checked again (a preview, then the update) is no second declaration.
        expect((await settings.check({}, { fullyManagedEnrollmentEnabled: true, __urn: URN, __provider: TEXT })).failures).to.deep.equal([]);
    });

    it("says what to do when the tenant refuses the switch, and changes nothing", async () => {
        ctx.emulator.setBehaviour({ fullyManagedStateAction: "refused" });
        const err = await rejectionOf(settings.create(await checkedSettings({ fullyManagedEnrollmentEnabled: true })));
        expect(err.message).to.contain("refused (403)").and.to.contain("DeviceManagementConfiguration.ReadWrite.All").and.to.contain("nothing was changed");
        expect(live()).to.equal(false);
    });

    for (const [fullyManagedStateWhenUnbound, said] of [
        ["refused", "refused (400)"],
        ["forbidden", "refused (403)"],
        ["conflict", "refused (409)"],
        ["ignored", "Intune took the change but did not show it within 1 s"],
    ] as const) {
        it(`says the tenant must be bound first when an unbound tenant does not take the switch (${fullyManagedStateWhenUnbound})`, async () => {
            await configureFor(ctx.emulator, { "intune:consistencyTimeoutSeconds": "1" });
            ctx.emulator.setAndroidEnterprise({ bindStatus: "notBound" });
            ctx.emulator.setBehaviour({ fullyManagedStateWhenUnbound, refusalWording: "unusual" });
            const err = await rejectionOf(settings.create(await checkedSettings({ fullyManagedEnrollmentEnabled: true })));
            expect(err.name).to.equal("EnrollmentSettingsError");
            expect(err.message).to.contain(said).and.to.contain("not bound to managed Google Play (bindStatus notBound)");
            expect(live()).to.equal(false);
        });
    }

    it("says which permission is missing when the settings cannot be read", async () => {
        ctx.emulator.setBehaviour({ enterpriseSettingsRead: "forbidden" });
        const err = await rejectionOf(settings.create(await checkedSettings({ fullyManagedEnrollmentEnabled: true })));
        expect(err.message).to.contain("refused (403)").and.to.contain("DeviceManagementConfiguration.ReadWrite.All");
    });

    it("refuses to touch another tenant's switch (settings pointing elsewhere), and changes nothing", async () => {
        const created = await settings.create(await checkedSettings({ fullyManagedEnrollmentEnabled: true }));
        // Recorded in another tenant than this run signs in to.
        const elsewhere = { ...created.outs!, tenantId: "5b7c9d1e-2f3a-4b5c-8d6e-7f8091a2b3c4" };
        const err = await rejectionOf(settings.update(created.id, elsewhere, { fullyManagedEnrollmentEnabled: false }));
        expect(err.name).to.equal("WrongPlaceError");
        expect(err.message).to.contain("refused").and.to.contain("lives in tenant 5b7c9d1e-2f3a-4b5c-8d6e-7f8091a2b3c4");
        // Settings that name another tenant than the access token is for.
        await configureFor(ctx.emulator, { "intune:tenantId": "5b7c9d1e-2f3a-4b5c-8d6e-7f8091a2b3c4", "intune:accessToken": ctx.emulator.issueToken() });
        const mismatch = await rejectionOf(settings.update(created.id, created.outs!, { fullyManagedEnrollmentEnabled: false }));
        expect(mismatch.name).to.equal("TenantMismatchError");
        expect(live()).to.equal(true);
    });
});

/** The switch's lifecycle over every reading the emulator plays that bears on it. */
const READINGS = (["fullyManagedStateWhenUnbound", "enterpriseSettingsPatchSwitch", "refusalWording", "enumsAs"] as const).flatMap((name) =>
    (BEHAVIOUR_VARIANTS[name] as readonly unknown[]).map((value) => ({ [name]: value }) as Partial<Behaviour>),
);

for (const reading of READINGS) {
    describe(`AndroidEnterpriseEnrollmentSettings over ${JSON.stringify(reading)}`, () => {
        const ctx = useProfileEmulator({ behaviour: reading, androidEnterprise: { androidDeviceOwnerFullyManagedEnrollmentEnabled: false } });

        it("creates, refreshes with no drift, updates and deletes, leaving the switch as found", async () => {
            const created = await settings.create(await checkedSettings({ fullyManagedEnrollmentEnabled: true }));
            // Enumerations answered by integer read as their names.
            expect(created.outs).to.include({ bindStatus: "boundAndValidated", enrollmentTarget: "all" });
            const read = await settings.read(created.id, created.outs!);
            expect(read.inputs).to.deep.equal({ fullyManagedEnrollmentEnabled: true });
            const updated = await settings.update(created.id, read.props!, await checkedSettings({ fullyManagedEnrollmentEnabled: false }));
            expect(updated.outs).to.include({ fullyManagedEnrollmentEnabled: false });
            await settings.delete(created.id, updated.outs!);
            expect(ctx.emulator.androidEnterprise().androidDeviceOwnerFullyManagedEnrollmentEnabled).to.equal(false);
        });
    });
}
