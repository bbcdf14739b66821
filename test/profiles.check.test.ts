import { expect } from "chai";
import { resetConfiguration } from "../provider/runtime/configuration";
import { configureFor, deviceOwner, expectNoSecrets, forWork, Props, PROVIDER_TEXT, rejectionOf, UNKNOWN, useProfileEmulator } from "./support/profiles";

type Failure = { property: string; reason: string };

function reasonFor(failures: Failure[], property: string): string {
    const found = failures.filter((f) => f.property === property);
    expect(found, `a failure for ${property} in ${JSON.stringify(failures, null, 1)}`).to.not.be.empty;
    return found.map((f) => f.reason).join(" | ");
}

const WIFI_PASSWORD = "Corr3ct-Horse-Battery-Staple";

describe("profiles: check", () => {
    const ctx = useProfileEmulator();

    async function check(news: Props, olds: Props = {}, provider = deviceOwner): Promise<{ inputs: Props; failures: Failure[] }> {
        const result = await provider.check(olds, { ...news, __provider: PROVIDER_TEXT });
        return { inputs: result.inputs!, failures: result.failures ?? [] };
    }

    it("passes valid inputs for every mode through unchanged, keeping __provider", async () => {
        const valid: Props[] = [
            { displayName: "Kiosk", enrollmentMode: "corporateOwnedDedicatedDevice", tokenValidityDays: 365, renewTokenWithinDays: 30 },
            {
                displayName: "Shared",
                enrollmentMode: "corporateOwnedDedicatedDevice",
                enrollmentTokenType: "corporateOwnedDedicatedDeviceWithAzureADSharedMode",
            },
            { displayName: "Managed", enrollmentMode: "corporateOwnedFullyManaged", roleScopeTagIds: ["0", "3"] },
            { displayName: "Staging", enrollmentMode: "corporateOwnedWorkProfile", enrollmentTokenType: "deviceStaging", tokenValidityDays: 30 },
            {
                displayName: "AOSP",
                enrollmentMode: "corporateOwnedAOSPUserAssociatedDevice",
                wifiSsid: "corp",
                wifiSecurityType: "wpa",
                wifiPassword: WIFI_PASSWORD,
                wifiHidden: true,
                tokenValidityDays: 90,
                deviceNameTemplate: "AOSP-{{SERIAL}}",
            },
        ];
        for (const news of valid) {
            const { inputs, failures } = await check(news);
            expect(failures, news.displayName).to.deep.equal([]);
            expect(inputs).to.deep.equal({ ...news, __provider: PROVIDER_TEXT });
        }
        const legacy = await check({ displayName: "Legacy", tokenValidityDays: 90 }, {}, forWork);
        expect(legacy.failures).to.deep.equal([]);
    });

    it("reports every problem of one input set at once, each naming its property and what is allowed", async () => {
        const { failures } = await check({
            // displayName missing
            enrollmentMode: "corporateOwnedFullyManaged",
            enrollmentTokenType: "corporateOwnedDedicatedDeviceWithAzureADSharedMode", // not allowed for fully managed
            wifiSsid: "corp", // Wi-Fi on a GMS mode
            wifiSecurityType: "wpa2", // unknown enum value
            deviceNameTemplate: "x".repeat(64),
            tokenValidityDays: 30, // a default fully-managed token never expires
            tokenExpirationDateTime: new Date(Date.now() + 10 * 86_400_000).toISOString(), // and both
            colour: "blue", // unknown property
        });
        expect(reasonFor(failures, "displayName")).to.match(/required/);
        expect(reasonFor(failures, "enrollmentTokenType")).to.match(
            /not allowed for enrollmentMode corporateOwnedFullyManaged; allowed: default, deviceStaging/,
        );
        expect(reasonFor(failures, "wifiSsid")).to.match(/only to AOSP enrollment modes/);
        expect(reasonFor(failures, "wifiSecurityType")).to.match(/one of none, wpa, wep, got "wpa2"/);
        expect(reasonFor(failures, "deviceNameTemplate")).to.match(/at most 63 characters \(it has 64\)/);
        expect(reasonFor(failures, "tokenValidityDays")).to.match(/no effect .*never expire/);
        expect(reasonFor(failures, "tokenExpirationDateTime")).to.match(/either tokenValidityDays or tokenExpirationDateTime, not both/);
        expect(reasonFor(failures, "colour")).to.match(/not a property of AndroidDeviceOwnerEnrollmentProfile; known properties: .*displayName/);
    });

    it("names the allowed values of unknown enrollmentMode and enrollmentTokenType values", async () => {
        const { failures } = await check({ displayName: "Kiosk", enrollmentMode: "kiosk", enrollmentTokenType: "shared" });
        expect(reasonFor(failures, "enrollmentMode")).to.match(
            /one of corporateOwnedDedicatedDevice, corporateOwnedFullyManaged, corporateOwnedWorkProfile, corporateOwnedAOSPUserlessDevice, corporateOwnedAOSPUserAssociatedDevice, got "kiosk"/,
        );
        expect(reasonFor(failures, "enrollmentTokenType")).to.match(
            /one of default, corporateOwnedDedicatedDeviceWithAzureADSharedMode, deviceStaging, got "shared"/,
        );
    });

    it("refuses token types a mode does not allow: staging on dedicated, shared mode on work profile, anything but default on AOSP", async () => {
        const cases: [string, string, RegExp][] = [
            ["corporateOwnedDedicatedDevice", "deviceStaging", /allowed: default, corporateOwnedDedicatedDeviceWithAzureADSharedMode/],
            ["corporateOwnedWorkProfile", "corporateOwnedDedicatedDeviceWithAzureADSharedMode", /allowed: default, deviceStaging/],
            ["corporateOwnedAOSPUserlessDevice", "deviceStaging", /allowed: default$/],
        ];
        for (const [enrollmentMode, enrollmentTokenType, allowed] of cases) {
            const { failures } = await check({ displayName: "P", enrollmentMode, enrollmentTokenType });
            expect(reasonFor(failures, "enrollmentTokenType")).to.match(allowed);
        }
    });

    it("requires the SSID when Wi-Fi is configured on an AOSP profile, and the password for wpa/wep", async () => {
        const { failures } = await check({ displayName: "AOSP", enrollmentMode: "corporateOwnedAOSPUserlessDevice", wifiSecurityType: "wpa" });
        expect(reasonFor(failures, "wifiSsid")).to.match(/required when Wi-Fi is configured/);
        expect(reasonFor(failures, "wifiPassword")).to.match(/required when wifiSecurityType is "wpa"/);
        const off = await check({ displayName: "AOSP", enrollmentMode: "corporateOwnedAOSPUserlessDevice", configureWifi: false, wifiHidden: true });
        expect(off.failures).to.deep.equal([]);
    });

    it("limits token validity to 90 days for AOSP modes and legacy profiles, 65 years for dedicated ones", async () => {
        const aosp = await check({ displayName: "AOSP", enrollmentMode: "corporateOwnedAOSPUserlessDevice", tokenValidityDays: 91 });
        expect(reasonFor(aosp.failures, "tokenValidityDays")).to.match(/at most 90 days for AOSP enrollment modes \(got 91\)/);
        const legacy = await check({ displayName: "Legacy", tokenValidityDays: 91 }, {}, forWork);
        expect(reasonFor(legacy.failures, "tokenValidityDays")).to.match(/at most 90 days for Android for Work profiles/);
        const at = new Date(Date.now() + 120 * 86_400_000).toISOString();
        const aospAt = await check({ displayName: "AOSP", enrollmentMode: "corporateOwnedAOSPUserAssociatedDevice", tokenExpirationDateTime: at });
        expect(reasonFor(aospAt.failures, "tokenExpirationDateTime")).to.match(/at most 90 days from now/);
        const dedicated = await check({ displayName: "Kiosk", enrollmentMode: "corporateOwnedDedicatedDevice", tokenValidityDays: 3650 });
        expect(dedicated.failures).to.deep.equal([]);
        const tooLong = await check({ displayName: "Kiosk", enrollmentMode: "corporateOwnedDedicatedDevice", tokenValidityDays: 65 * 365 + 1 });
        expect(reasonFor(tooLong.failures, "tokenValidityDays")).to.match(/whole number of days from 1 to 23725/);
    });

    it("refuses renewal windows that would renew on every run, or a renewal of a fixed expiry", async () => {
        const wide = await check({ displayName: "Kiosk", enrollmentMode: "corporateOwnedDedicatedDevice", tokenValidityDays: 30, renewTokenWithinDays: 30 });
        expect(reasonFor(wide.failures, "renewTokenWithinDays")).to.match(/less than the token validity \(30 days\)/);
        const legacyDefault = await check({ displayName: "Legacy", renewTokenWithinDays: 90 }, {}, forWork);
        expect(reasonFor(legacyDefault.failures, "renewTokenWithinDays")).to.match(/less than the token validity \(90 days/);
        // Undeclared, a device-owner token is renewed for 90 days: a window as long renews on every run.
        for (const program of [
            { displayName: "Kiosk", enrollmentMode: "corporateOwnedDedicatedDevice", renewTokenWithinDays: 120 },
            { displayName: "Staged", enrollmentMode: "corporateOwnedFullyManaged", enrollmentTokenType: "deviceStaging", renewTokenWithinDays: 90 },
            { displayName: "AOSP", enrollmentMode: "corporateOwnedAOSPUserlessDevice", renewTokenWithinDays: 365 },
        ]) {
            const undeclared = await check(program);
            expect(reasonFor(undeclared.failures, "renewTokenWithinDays"), program.displayName).to.equal(
                "must be less than the token validity (90 days, the default when tokenValidityDays is not declared), or every run would issue a new token",
            );
        }
        expect((await check({ displayName: "Kiosk", enrollmentMode: "corporateOwnedDedicatedDevice", renewTokenWithinDays: 30 })).failures).to.deep.equal([]);
        const at = new Date(Date.now() + 60 * 86_400_000).toISOString();
        const fixed = await check({
            displayName: "Kiosk",
            enrollmentMode: "corporateOwnedDedicatedDevice",
            tokenExpirationDateTime: at,
            renewTokenWithinDays: 7,
        });
        expect(reasonFor(fixed.failures, "renewTokenWithinDays")).to.match(/cannot renew a token with a fixed tokenExpirationDateTime/);
    });

    it("takes only Wi-Fi keys a network could: WPA passphrases of 8 to 63 characters, WEP keys of 5 or 13 (or 10 or 26 hex digits)", async () => {
        const aosp = { displayName: "AOSP", enrollmentMode: "corporateOwnedAOSPUserlessDevice", wifiSsid: "corp" };
        const cases: [string, string, boolean][] = [
            ["wpa", "Short-7", false],
            ["wpa", "Eight-8!", true],
            ["wpa", "x".repeat(63), true],
            ["wpa", "x".repeat(64), false],
            ["wpa", "ab".repeat(32), true],
            ["wep", "Ab1#z", true],
            ["wep", "Ab1#z9", false],
            ["wep", "0123456789", true],
            ["wep", "0123456789abcdef0123456789", true],
            ["wep", "Thirteen-13!!", true],
        ];
        for (const [wifiSecurityType, wifiPassword, fits] of cases) {
            const { failures } = await check({ ...aosp, wifiSecurityType, wifiPassword });
            const reasons = failures.filter((f) => f.property === "wifiPassword").map((f) => f.reason);
            expect(reasons.length, `${wifiSecurityType} key of ${wifiPassword.length}`).to.equal(fits ? 0 : 1);
            for (const r of reasons)
                expect(r)
                    .to.match(new RegExp(`^must be a ${wifiSecurityType.toUpperCase()} `))
                    .and.not.contain(wifiPassword);
        }
        // Not judged: Wi-Fi switched off (the key stays out of the QR code), or a security type that is no enum
        // member, even one an object would inherit (the enum's own failure names it).
        const off = await check({ ...aosp, configureWifi: false, wifiSecurityType: "wpa", wifiPassword: "short" });
        expect(off.failures.filter((f) => f.property === "wifiPassword")).to.deep.equal([]);
        for (const wifiSecurityType of ["constructor", "__proto__", "toString"]) {
            const { failures } = await check({ ...aosp, wifiSecurityType, wifiPassword: "short" });
            expect(failures.map((f) => f.property))
                .to.include("wifiSecurityType")
                .and.not.include("wifiPassword");
        }
    });

    it("refuses AOSP modes in the China cloud, as enrollmentMode", async () => {
        await configureFor(ctx.emulator, { "intune:cloud": "china" });
        const { failures } = await check({ displayName: "AOSP", enrollmentMode: "corporateOwnedAOSPUserlessDevice" });
        expect(reasonFor(failures, "enrollmentMode")).to.match(/AOSP enrollment modes are not available in the china cloud/);
        const gms = await check({ displayName: "Kiosk", enrollmentMode: "corporateOwnedDedicatedDevice" });
        expect(gms.failures).to.deep.equal([]);
    });

    it("names the inputs' errors when the stack's settings are missing, and the settings' error once the inputs are right", async () => {
        resetConfiguration();
        await deviceOwner.configure({ config: { get: () => undefined } });
        const { failures } = await check({ displayName: "Kiosk", enrollmentMode: "corporateOwnedKiosk" });
        expect(reasonFor(failures, "enrollmentMode")).to.contain("corporateOwnedDedicatedDevice");
        const err = await rejectionOf(check({ displayName: "Kiosk", enrollmentMode: "corporateOwnedDedicatedDevice" }));
        expect(err.name).to.equal("SettingsError");
        expect(ctx.emulator.requests()).to.deep.equal([]);
    });

    it("does not judge values still unknown during preview", async () => {
        const cases: Props[] = [
            { displayName: UNKNOWN, enrollmentMode: "corporateOwnedDedicatedDevice" },
            { displayName: "Kiosk", enrollmentMode: UNKNOWN, enrollmentTokenType: "deviceStaging", tokenValidityDays: 30 },
            { displayName: "Kiosk", enrollmentMode: "corporateOwnedDedicatedDevice", tokenValidityDays: UNKNOWN, renewTokenWithinDays: 10 },
            { displayName: "AOSP", enrollmentMode: "corporateOwnedAOSPUserlessDevice", wifiSsid: UNKNOWN, wifiSecurityType: "wpa", wifiPassword: UNKNOWN },
            { displayName: "Kiosk", enrollmentMode: "corporateOwnedDedicatedDevice", roleScopeTagIds: UNKNOWN, deviceNameTemplate: UNKNOWN },
        ];
        for (const news of cases) {
            const { inputs, failures } = await check(news);
            expect(failures, JSON.stringify(news)).to.deep.equal([]);
            for (const [k, v] of Object.entries(news)) expect(inputs[k], k).to.equal(v);
        }
        const legacy = await check({ displayName: UNKNOWN, tokenValidityDays: UNKNOWN }, {}, forWork);
        expect(legacy.failures).to.deep.equal([]);
    });

    it("makes no Graph request for inputs that fail or for a profile that exists; a new profile's reads the tenant's settings once per run", async () => {
        await check({ displayName: "Bad", enrollmentMode: "nope" });
        const kiosk = { displayName: "Kiosk", enrollmentMode: "corporateOwnedDedicatedDevice", tokenValidityDays: 30 };
        await check(kiosk, kiosk);
        expect(ctx.emulator.requests(), "nothing for a failure or an existing profile").to.deep.equal([]);
        // A new profile: what a preview shows of whether its devices can enroll (the readiness check).
        await check(kiosk);
        await check({ displayName: "Legacy" }, {}, forWork);
        expect(ctx.emulator.requests().map((r) => `${r.method} ${r.path}`)).to.deep.equal([
            "GET /beta/deviceManagement/androidManagedStoreAccountEnterpriseSettings",
        ]);
    });

    it("never shows a Wi-Fi password or the client secret in a failure", async () => {
        const cases: Props[] = [
            { displayName: "Kiosk", enrollmentMode: "corporateOwnedDedicatedDevice", wifiPassword: WIFI_PASSWORD },
            {
                displayName: "AOSP",
                enrollmentMode: "corporateOwnedAOSPUserlessDevice",
                wifiSsid: "corp",
                wifiSecurityType: "none",
                wifiPassword: WIFI_PASSWORD,
            },
            { displayName: "AOSP", enrollmentMode: "corporateOwnedAOSPUserlessDevice", wifiSecurityType: "wep", wifiPassword: WIFI_PASSWORD },
            { displayName: "AOSP", enrollmentMode: "corporateOwnedAOSPUserlessDevice", wifiSsid: "corp", wifiPassword: { value: WIFI_PASSWORD } },
            { displayName: "AOSP", enrollmentMode: "corporateOwnedAOSPUserlessDevice", wifiSsid: "corp", wifiPassword: [WIFI_PASSWORD] },
        ];
        for (const news of cases) {
            const { failures } = await check(news);
            expect(failures, JSON.stringify(failures)).to.not.be.empty;
            expectNoSecrets(JSON.stringify(failures), [WIFI_PASSWORD, ctx.emulator.defaultApp.secret]);
        }
    });

    it("sets a property removed from the program to its cleared value and leaves never-declared ones unmanaged", async () => {
        const olds = {
            displayName: "Kiosk",
            enrollmentMode: "corporateOwnedDedicatedDevice",
            description: "scanners",
            deviceNameTemplate: "K-{{SERIAL}}",
            roleScopeTagIds: ["7"],
            enrollmentTokenType: "corporateOwnedDedicatedDeviceWithAzureADSharedMode",
        };
        const { inputs, failures } = await check({ displayName: "Kiosk", enrollmentMode: "corporateOwnedDedicatedDevice" }, olds);
        expect(failures).to.deep.equal([]);
        expect(inputs.description).to.equal(null);
        expect(inputs.deviceNameTemplate).to.equal(null);
        expect(inputs.roleScopeTagIds).to.deep.equal(["0"]);
        expect(inputs.enrollmentTokenType).to.equal("default");
        expect(inputs).to.not.have.property("wifiSsid");
        expect(inputs).to.not.have.property("isTeamsDeviceProfile");
        const legacy = await check({ displayName: "Legacy" }, { displayName: "Legacy", description: "old" }, forWork);
        expect(legacy.inputs.description).to.equal(null);
    });

    it("lets Wi-Fi lines be removed from an AOSP profile", async () => {
        const olds = {
            displayName: "AOSP",
            enrollmentMode: "corporateOwnedAOSPUserlessDevice",
            wifiSsid: "corp",
            wifiSecurityType: "wpa",
            wifiPassword: WIFI_PASSWORD,
            wifiHidden: true,
        };
        const { inputs, failures } = await check({ displayName: "AOSP", enrollmentMode: "corporateOwnedAOSPUserlessDevice" }, olds);
        expect(failures).to.deep.equal([]);
        expect(inputs.wifiSsid).to.equal(null);
        expect(inputs.wifiPassword).to.equal(null);
    });

    it("lets a profile move from an AOSP mode to a GMS mode once its Wi-Fi lines are removed", async () => {
        const olds = { displayName: "P", enrollmentMode: "corporateOwnedAOSPUserlessDevice", wifiSsid: "corp", wifiSecurityType: "none" };
        const { failures } = await check({ displayName: "P", enrollmentMode: "corporateOwnedDedicatedDevice" }, olds);
        expect(failures).to.deep.equal([]);
    });
});
