import { expect } from "chai";
import { diffProfile, sameValue } from "../../provider/profiles/diff";
import { androidDeviceOwnerKind } from "../../provider/profiles/kinds/androidDeviceOwner";
import { UNKNOWN } from "../../provider/profiles/model";
import { checkInputs } from "../../provider/profiles/validate";

/** check and diff as pure functions: every failure names its property; diff compares as each property says. */

const kind = androidDeviceOwnerKind;
const check = (news: Record<string, unknown>, olds: Record<string, unknown> = {}) => checkInputs(kind, olds, news, undefined);
const NOW = Date.parse("2026-11-29T12:00:00Z");

describe("unit: check", () => {
    it("reports an unknown enrollmentMode alone, not the token rules that depend on it", () => {
        const { failures } = check({ displayName: "K", enrollmentMode: "kioskMode", tokenValidityDays: 30 });
        expect(failures.map((f) => f.property)).to.deep.equal(["enrollmentMode"]);
        expect(failures[0].reason).to.contain('got "kioskMode"');
    });

    it("shows a number as a number", () => {
        const { failures } = check({ displayName: "K", enrollmentMode: "corporateOwnedDedicatedDevice", tokenValidityDays: 1.5 });
        expect(failures).to.deep.equal([{ property: "tokenValidityDays", reason: "must be a whole number of days from 1 to 23725, got 1.5" }]);
    });

    it("requires wifiSsid when an AOSP profile says configureWifi: true", () => {
        const { failures } = check({ displayName: "K", enrollmentMode: "corporateOwnedAOSPUserlessDevice", configureWifi: true });
        expect(failures.map((f) => f.property)).to.deep.equal(["wifiSsid"]);
    });

    it("does not judge values still unknown in a preview", () => {
        expect(check({ displayName: UNKNOWN, enrollmentMode: UNKNOWN, tokenValidityDays: UNKNOWN }).failures).to.deep.equal([]);
        const aosp = { displayName: "K", enrollmentMode: "corporateOwnedAOSPUserlessDevice" };
        // configureWifi may turn out false; a password may turn out empty.
        expect(check({ ...aosp, configureWifi: UNKNOWN, wifiSecurityType: "wpa" }).failures).to.deep.equal([]);
        expect(check({ ...aosp, configureWifi: true, wifiSsid: "n", wifiSecurityType: "none", wifiPassword: UNKNOWN }).failures).to.deep.equal([]);
    });

    it("never shows a secret input's value", () => {
        const { failures } = check({
            displayName: "K",
            enrollmentMode: "corporateOwnedAOSPUserlessDevice",
            wifiSsid: "n",
            wifiSecurityType: "wpa",
            wifiPassword: 42,
        });
        expect(JSON.stringify(failures)).to.not.contain("42");
    });

    it("refuses a date that is not on the calendar, which Date.parse would move to another day", () => {
        const kiosk = { displayName: "K", enrollmentMode: "corporateOwnedDedicatedDevice" };
        const { failures } = check({ ...kiosk, tokenExpirationDateTime: "2027-02-30T00:00:00Z" });
        expect(failures).to.deep.equal([
            { property: "tokenExpirationDateTime", reason: 'must be an ISO 8601 date-time such as 2027-01-31T00:00:00Z, got "2027-02-30T00:00:00Z"' },
        ]);
        expect(check({ ...kiosk, tokenExpirationDateTime: "2028-02-29T00:00:00Z" }).failures).to.deep.equal([]);
    });

    it("refuses an empty roleScopeTagIds, which Intune would read back as its default tag", () => {
        const { failures } = check({ displayName: "K", enrollmentMode: "corporateOwnedDedicatedDevice", roleScopeTagIds: [] });
        expect(failures).to.deep.equal([
            { property: "roleScopeTagIds", reason: 'must be a non-empty list of scope tag ids (strings), such as ["0"], the default tag, got []' },
        ]);
    });

    it("clears a property removed from the program to its cleared value", () => {
        const { inputs } = check(
            { displayName: "K", enrollmentMode: "corporateOwnedDedicatedDevice" },
            { displayName: "K", enrollmentMode: "corporateOwnedDedicatedDevice", deviceNameTemplate: "X-{{SERIAL}}" },
        );
        expect(inputs.deviceNameTemplate).to.equal(null);
    });

    it("clears nothing for a profile that is replaced: an AOSP profile that becomes GMS sends no Wi-Fi settings", () => {
        const aosp = {
            displayName: "K",
            enrollmentMode: "corporateOwnedAOSPUserlessDevice",
            wifiSsid: "corp",
            wifiSecurityType: "wpa",
            wifiPassword: "Corr3ct-Horse",
            deviceNameTemplate: "X-{{SERIAL}}",
        };
        const { inputs, failures } = check({ displayName: "K", enrollmentMode: "corporateOwnedDedicatedDevice" }, aosp);
        expect(failures).to.deep.equal([]);
        expect(inputs).to.deep.equal({ displayName: "K", enrollmentMode: "corporateOwnedDedicatedDevice" });
        expect(diffProfile(kind, aosp, inputs, NOW).replaces).to.deep.equal(["enrollmentMode"]);
    });
});

describe("unit: diff", () => {
    const olds = {
        displayName: "K",
        enrollmentMode: "corporateOwnedDedicatedDevice",
        roleScopeTagIds: ["0", "7"],
        tokenValue: "1".repeat(20),
        tokenExpirationDateTime: "2027-06-01T00:00:00Z",
    };

    it("replaces on a create-only property, updates in place otherwise, and ignores scope-tag order", () => {
        expect(diffProfile(kind, olds, { ...olds, roleScopeTagIds: ["7", "0"] }, NOW)).to.include({ changes: false });
        expect(diffProfile(kind, olds, { ...olds, displayName: "K2" }, NOW)).to.deep.include({ changes: true, replaces: [], updates: ["displayName"] });
        expect(diffProfile(kind, olds, { ...olds, enrollmentMode: "corporateOwnedFullyManaged" }, NOW).replaces).to.deep.equal(["enrollmentMode"]);
    });

    it("replaces on every property the table marks create-only, and changes every other writable one in place", () => {
        const aosp = { ...olds, enrollmentMode: "corporateOwnedAOSPUserlessDevice", enrollmentTokenType: "default", isTeamsDeviceProfile: false };
        const changed: Record<string, unknown> = {
            enrollmentMode: "corporateOwnedAOSPUserAssociatedDevice",
            enrollmentTokenType: "corporateOwnedDedicatedDeviceWithAzureADSharedMode",
            isTeamsDeviceProfile: true,
            displayName: "K2",
            description: "d",
            roleScopeTagIds: ["9"],
            deviceNameTemplate: "T-{{SERIAL}}",
            configureWifi: false,
            wifiSsid: "s",
            wifiPassword: "p4ssword!",
            wifiSecurityType: "wpa",
            wifiHidden: true,
        };
        expect(Object.keys(changed).sort()).to.deep.equal([...kind.writable].sort());
        for (const [key, value] of Object.entries(changed)) {
            const d = diffProfile(kind, aosp, { ...aosp, [key]: value }, NOW);
            const replaces = kind.replaceOnChange.includes(key);
            expect(d.replaces, key).to.deep.equal(replaces ? [key] : []);
            expect(d.updates, key).to.deep.equal(replaces ? [] : [key]);
        }
        expect([...kind.replaceOnChange].sort()).to.deep.equal(["enrollmentMode", "enrollmentTokenType", "isTeamsDeviceProfile"]);
    });

    it("compares scope tags as a set: same members in any order are equal, a missing, extra or repeated one is not", () => {
        const tags = (roleScopeTagIds: string[]) => diffProfile(kind, olds, { ...olds, roleScopeTagIds }, NOW).changes;
        expect(tags(["7", "0"])).to.equal(false);
        expect(tags(["0"]), "one fewer").to.equal(true);
        expect(tags(["0", "7", "9"]), "one more").to.equal(true);
        expect(tags(["0", "9"]), "same length, another member").to.equal(true);
        expect(tags(["0", "0", "7"]), "a repeat").to.equal(true);
        expect(sameValue(kind, "roleScopeTagIds", ["b", "a"], ["a", "b"])).to.equal(true);
        expect(sameValue(kind, "roleScopeTagIds", ["a", "a", "b"], ["a", "b", "b"])).to.equal(false);
    });

    it("compares other lists in order, and a list never equals a value that is not one", () => {
        // Enrollment-time values and unknown future list properties compare exactly: order matters there.
        expect(sameValue(kind, "displayName", ["a", "b"], ["a", "b"])).to.equal(true);
        expect(sameValue(kind, "displayName", ["a", "b"], ["b", "a"])).to.equal(false);
        expect(sameValue(kind, "roleScopeTagIds", ["0"], "0")).to.equal(false);
        expect(sameValue(kind, "description", undefined, null)).to.equal(true);
        expect(sameValue(kind, "description", "", null)).to.equal(false);
    });

    it("counts a change of a control input (one that never reaches Graph) as an update", () => {
        for (const [key, value] of [
            ["revokeTokenOnDelete", true],
            ["includeQrCodeImage", true],
            ["adoptByDisplayName", true],
        ] as const) {
            const d = diffProfile(kind, olds, { ...olds, [key]: value }, NOW);
            expect(d, key).to.deep.include({ changes: true, replaces: [], updates: [key] });
            expect(diffProfile(kind, { ...olds, [key]: value }, { ...olds, [key]: value }, NOW).changes, `${key} unchanged`).to.equal(false);
        }
    });

    it("replaces when a replace property is still unknown in a preview, and updates when another is", () => {
        expect(diffProfile(kind, olds, { ...olds, enrollmentMode: UNKNOWN }, NOW)).to.deep.include({ replaces: ["enrollmentMode"], updates: [] });
        expect(diffProfile(kind, olds, { ...olds, description: UNKNOWN }, NOW)).to.deep.include({ replaces: [], updates: ["description"] });
    });

    it("takes a replace property never declared before as its service default, and any other one as unset", () => {
        // enrollmentTokenType was never declared (olds lack it): declaring the default is no change, another value replaces.
        expect(diffProfile(kind, olds, { ...olds, enrollmentTokenType: "default" }, NOW).changes).to.equal(false);
        expect(diffProfile(kind, olds, { ...olds, enrollmentTokenType: "corporateOwnedDedicatedDeviceWithAzureADSharedMode" }, NOW).replaces).to.deep.equal([
            "enrollmentTokenType",
        ]);
        // A property recorded with another value replaces even when the new one is the default.
        const shared = { ...olds, enrollmentTokenType: "corporateOwnedDedicatedDeviceWithAzureADSharedMode" };
        expect(diffProfile(kind, shared, { ...shared, enrollmentTokenType: "default" }, NOW).replaces).to.deep.equal(["enrollmentTokenType"]);
        // An in-place property never declared before is unset, not its cleared value: declaring the cleared value updates.
        expect(diffProfile(kind, olds, { ...olds, description: "" }, NOW).updates).to.deep.equal(["description"]);
        expect(diffProfile(kind, olds, { ...olds, configureWifi: true }, NOW).updates).to.deep.equal(["configureWifi"]);
    });

    it("takes an enrollment-time group id that differs only in letter case for the same group: no change", () => {
        const group = "5a1f0c2e-7b3d-4e8a-9c61-0d2f4b6a8e01";
        const recorded = { ...olds, enrollmentTimeDeviceGroupId: group };
        expect(diffProfile(kind, recorded, { ...recorded, enrollmentTimeDeviceGroupId: group.toUpperCase() }, NOW).changes).to.equal(false);
        expect(diffProfile(kind, recorded, { ...recorded, enrollmentTimeDeviceGroupId: "5a1f0c2e-7b3d-4e8a-9c61-0d2f4b6a8e02" }, NOW).updates).to.deep.equal([
            "enrollmentTimeDeviceGroupId",
        ]);
        // Only ids compare so: a display name in another case is another name.
        expect(diffProfile(kind, olds, { ...olds, displayName: "k" }, NOW).changes).to.equal(true);
    });

    it("needs managed Google Play for every mode but AOSP, and corporate-owned user enrollment for fully managed and work profile", () => {
        const needs = (enrollmentMode: string) => kind.enrollmentRequirements!({ enrollmentMode });
        expect(needs("corporateOwnedDedicatedDevice")).to.deep.equal(["managedGooglePlay"]);
        expect(needs("corporateOwnedFullyManaged")).to.deep.equal(["managedGooglePlay", "corporateOwnedUserEnrollment"]);
        expect(needs("corporateOwnedWorkProfile")).to.deep.equal(["managedGooglePlay", "corporateOwnedUserEnrollment"]);
        expect(needs("corporateOwnedAOSPUserlessDevice")).to.deep.equal([]);
        expect(needs("corporateOwnedAOSPUserAssociatedDevice")).to.deep.equal([]);
        expect(needs("5")).to.deep.equal([]);
    });

    it("counts an unknown value as a change, and a declared default of a replace property as none", () => {
        expect(diffProfile(kind, olds, { ...olds, displayName: UNKNOWN }, NOW).changes).to.equal(true);
        expect(diffProfile(kind, olds, { ...olds, enrollmentTokenType: "default" }, NOW).changes).to.equal(false);
    });

    it("gives the reason when a token is due", () => {
        const due = diffProfile(kind, { ...olds, tokenExpirationDateTime: "2026-11-30T00:00:00Z" }, { ...olds, renewTokenWithinDays: 7 }, NOW);
        expect(due.tokenReason).to.match(/expires within 7 days/);
        expect(due.updates).to.include("tokenValue");
    });
});
