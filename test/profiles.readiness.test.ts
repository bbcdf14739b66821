import { expect } from "chai";
import { GRAPH_READ_ALL } from "../emulator";
import {
    asDynamic,
    checked,
    configureFor,
    createChecked,
    deviceOwner,
    forWork,
    Props,
    PROVIDER_TEXT,
    useProfileEmulator,
    warningsOf,
} from "./support/profiles";
import { providers } from "../provider";

/**
 * Will the devices enroll? Every profile's create, update and refresh (and a new profile's check, which is what a
 * preview runs) reads the tenant's Android Enterprise settings once per run and warns, naming the setting and the
 * fix, when the profile's mode cannot enroll there. It never fails a run; a no-change preview makes no Graph call.
 */

const SETTINGS_PATH = "/beta/deviceManagement/androidManagedStoreAccountEnterpriseSettings";
const FULLY_MANAGED: Props = { displayName: "COBO", enrollmentMode: "corporateOwnedFullyManaged" };
const WORK_PROFILE: Props = { displayName: "COPE", enrollmentMode: "corporateOwnedWorkProfile" };
const DEDICATED: Props = { displayName: "Kiosk", enrollmentMode: "corporateOwnedDedicatedDevice", tokenValidityDays: 30 };
const AOSP: Props = { displayName: "Headsets", enrollmentMode: "corporateOwnedAOSPUserlessDevice", tokenValidityDays: 30 };
const settingsReads = (emulator: { requests(): { method: string; path: string }[] }): number =>
    emulator.requests().filter((r) => r.method === "GET" && r.path === SETTINGS_PATH).length;
const about = (warnings: string[], what: RegExp): string[] => warnings.filter((w) => what.test(w));
const NOT_BOUND = /not bound to managed Google Play \(bindStatus notBound\)/;
const SWITCH_OFF = /corporate-owned user enrollment is off in this tenant/;

describe("profiles: whether devices can enroll, in a tenant not bound to managed Google Play", () => {
    const ctx = useProfileEmulator({ androidEnterprise: { bindStatus: "notBound" } });

    it("warns on the check of a new profile (what a preview runs) and not again on its create, for every mode but AOSP", async () => {
        const warnings = await warningsOf(async () => {
            for (const program of [FULLY_MANAGED, WORK_PROFILE, DEDICATED, AOSP]) await createChecked(deviceOwner, program);
            await createChecked(forWork, { displayName: "Legacy" });
        });
        const unbound = about(warnings, NOT_BOUND);
        expect(unbound.map((w) => /"([^"]+)"/.exec(w)![1]).sort()).to.deep.equal(["COBO", "COPE", "Kiosk", "Legacy"]);
        expect(unbound[0]).to.contain("connect it in the Intune admin center (Devices > Android > Android enrollment > Managed Google Play)");
        expect(
            warnings.filter((w) => w.includes('"Headsets"')),
            "AOSP needs no binding",
        ).to.deep.equal([]);
        // Fully managed and work profile also need corporate-owned user enrollment, which an unbound tenant has off.
        expect(
            about(warnings, SWITCH_OFF)
                .map((w) => /"([^"]+)"/.exec(w)![1])
                .sort(),
        ).to.deep.equal(["COBO", "COPE"]);
        expect(settingsReads(ctx.emulator), "one read for the whole run").to.equal(1);
    });

    it("makes no Graph call for the check and diff of a profile that does not change (a no-change preview)", async () => {
        const { id, inputs, outs } = await createChecked(deviceOwner, FULLY_MANAGED);
        await configureFor(ctx.emulator); // a new run, which has read nothing yet
        ctx.emulator.clearRequests();
        await checked(deviceOwner, FULLY_MANAGED, inputs);
        expect((await deviceOwner.diff(id, { ...outs, __provider: PROVIDER_TEXT }, inputs)).changes).to.equal(false);
        expect(ctx.emulator.requests()).to.deep.equal([]);
    });

    it("warns once the tenant is bound no more: on refresh, of a profile created while it was", async () => {
        ctx.emulator.setAndroidEnterprise({ bindStatus: "boundAndValidated", androidDeviceOwnerFullyManagedEnrollmentEnabled: true });
        const created = await warningsOf(() => createChecked(deviceOwner, DEDICATED));
        expect(about(created, NOT_BOUND)).to.deep.equal([]);
        const { id, outs } = await createChecked(deviceOwner, { ...DEDICATED, displayName: "Kiosk 2" });
        ctx.emulator.setAndroidEnterprise({ bindStatus: "unbinding" });
        await configureFor(ctx.emulator); // a new run, which reads the settings afresh
        const refreshed = await warningsOf(() => deviceOwner.read(id, { ...outs, __provider: PROVIDER_TEXT }));
        expect(about(refreshed, /not bound to managed Google Play \(bindStatus unbinding\)/)).to.have.length(1);
    });
});

describe("profiles: whether devices can enroll, in a bound tenant with corporate-owned user enrollment off", () => {
    const ctx = useProfileEmulator({ androidEnterprise: { androidDeviceOwnerFullyManagedEnrollmentEnabled: false } });

    it("warns for fully managed and work profile, naming the switch and AndroidEnterpriseEnrollmentSettings, and not for dedicated", async () => {
        const warnings = await warningsOf(async () => {
            for (const program of [FULLY_MANAGED, WORK_PROFILE, DEDICATED]) await createChecked(deviceOwner, program);
        });
        expect(about(warnings, NOT_BOUND)).to.deep.equal([]);
        const off = about(warnings, SWITCH_OFF);
        expect(off.map((w) => /"([^"]+)"/.exec(w)![1]).sort()).to.deep.equal(["COBO", "COPE"]);
        expect(off[0]).to.contain("declare AndroidEnterpriseEnrollmentSettings with fullyManagedEnrollmentEnabled: true");
        expect(ctx.emulator.androidEnterprise().androidDeviceOwnerFullyManagedEnrollmentEnabled, "a warning changes nothing").to.equal(false);
    });

    it("does not warn when this run's AndroidEnterpriseEnrollmentSettings turns the switch on", async () => {
        const settings = asDynamic(providers.androidEnterpriseEnrollmentSettings);
        const warnings = await warningsOf(async () => {
            await settings.check({}, { fullyManagedEnrollmentEnabled: true, __provider: "x" });
            await createChecked(deviceOwner, FULLY_MANAGED);
        });
        expect(about(warnings, SWITCH_OFF)).to.deep.equal([]);
    });
});

describe("profiles: whether devices can enroll, when the tenant refuses to say", () => {
    const ctx = useProfileEmulator({ behaviour: { enterpriseSettingsRead: "forbidden" }, androidEnterprise: { bindStatus: "notBound" } });

    it("gives one warning for the run that names the permission, and creates every profile", async () => {
        const warnings = await warningsOf(async () => {
            for (const program of [FULLY_MANAGED, WORK_PROFILE, DEDICATED]) await createChecked(deviceOwner, program);
        });
        expect(ctx.emulator.profiles("androidDeviceOwnerEnrollmentProfiles")).to.have.length(3);
        const unchecked = warnings.filter((w) => w.includes("could not check that devices can enroll"));
        expect(unchecked).to.have.length(1);
        expect(unchecked[0]).to.contain("refused (403)").and.to.contain(GRAPH_READ_ALL).and.to.contain("Nothing else is affected");
        expect(about(warnings, NOT_BOUND)).to.deep.equal([]);
    });

    it("says the same whatever the words of the refusal", async () => {
        ctx.emulator.setBehaviour({ refusalWording: "unusual" });
        const warnings = await warningsOf(() => createChecked(deviceOwner, FULLY_MANAGED));
        expect(warnings.filter((w) => w.includes("could not check that devices can enroll") && w.includes("refused (403)"))).to.have.length(1);
    });
});
