import { expect } from "chai";
import { diffProfile } from "../../provider/profiles/diff";
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

    it("clears a property removed from the program to its cleared value", () => {
        const { inputs } = check(
            { displayName: "K", enrollmentMode: "corporateOwnedDedicatedDevice" },
            { displayName: "K", deviceNameTemplate: "X-{{SERIAL}}" },
        );
        expect(inputs.deviceNameTemplate).to.equal(null);
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
