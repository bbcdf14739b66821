import { expect } from "chai";
import { androidDeviceOwnerKind } from "../../provider/profiles/kinds/androidDeviceOwner";
import { androidForWorkKind } from "../../provider/profiles/kinds/androidForWork";
import {
    hasToken,
    NON_EXPIRING_VALIDITY_SECONDS,
    tokenExpired,
    tokenIsFresh,
    tokenRenewalReason,
    tokenUsable,
    validitySeconds,
} from "../../provider/profiles/token";

/** The token rules as pure functions of inputs, outputs and a clock: no server. */

const NOW = Date.parse("2026-11-29T12:00:00Z");
const DAY = 86_400_000;
const at = (ms: number): string => new Date(ms).toISOString();
const FULLY_MANAGED = { displayName: "COBO", enrollmentMode: "corporateOwnedFullyManaged" };
const DEDICATED = { displayName: "Kiosk", enrollmentMode: "corporateOwnedDedicatedDevice", tokenValidityDays: 30, renewTokenWithinDays: 7 };
const rules = (inputs: Record<string, unknown>) => androidDeviceOwnerKind.tokenRules(inputs);

describe("unit: enrollment-token rules", () => {
    it("tells whether a token exists by tokenValue alone", () => {
        expect(hasToken({ tokenValue: "ABCDEFGH", tokenExpirationDateTime: "0001-01-01T00:00:00Z" })).to.equal(true);
        expect(hasToken({ tokenValue: null, tokenExpirationDateTime: at(NOW + DAY) })).to.equal(false);
        expect(hasToken({ tokenValue: "" })).to.equal(false);
    });

    for (const expiry of ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59.9999999Z", null, undefined]) {
        it(`counts a never-expiring token as usable whatever "never" reads as (${String(expiry)})`, () => {
            const token = { tokenValue: "ABCDEFGH", tokenExpirationDateTime: expiry };
            expect(tokenUsable(rules(FULLY_MANAGED), token, NOW)).to.equal(true);
            expect(tokenRenewalReason(androidDeviceOwnerKind, token, FULLY_MANAGED, NOW)).to.equal(undefined);
        });
    }

    it("counts a never-expiring token whose expiry reads a real date now past as revoked (a revoke expires it at once)", () => {
        const token = { tokenValue: "ABCDEFGH", tokenExpirationDateTime: at(NOW - DAY) };
        expect(tokenUsable(rules(FULLY_MANAGED), token, NOW)).to.equal(false);
        expect(tokenRenewalReason(androidDeviceOwnerKind, token, FULLY_MANAGED, NOW)).to.equal("the enrollment token has expired or was revoked");
        expect(tokenUsable(rules(FULLY_MANAGED), { ...token, tokenExpirationDateTime: at(NOW + DAY) }, NOW)).to.equal(true);
        // A placeholder that is no later than the token's issue (an epoch, the issue time) is not a revoke.
        for (const placeholder of ["1970-01-01T00:00:00Z", at(NOW - 2 * DAY)]) {
            expect(
                tokenUsable(rules(FULLY_MANAGED), { ...token, tokenCreationDateTime: at(NOW - 2 * DAY), tokenExpirationDateTime: placeholder }, NOW),
                placeholder,
            ).to.equal(true);
        }
        expect(tokenUsable(rules(FULLY_MANAGED), { ...token, tokenCreationDateTime: at(NOW - 2 * DAY) }, NOW), "revoked after its issue").to.equal(false);
    });

    it("counts an expiring token at or before now, the minimum date included, as expired or revoked", () => {
        for (const expiry of ["0001-01-01T00:00:00Z", at(NOW), at(NOW - 1)]) {
            expect(tokenExpired(rules(DEDICATED), { tokenValue: "1".repeat(20), tokenExpirationDateTime: expiry }, NOW), expiry).to.equal(true);
        }
        expect(tokenExpired(rules(DEDICATED), { tokenValue: "1".repeat(20), tokenExpirationDateTime: at(NOW + 1000) }, NOW)).to.equal(false);
        expect(tokenExpired(rules(DEDICATED), { tokenValue: "1".repeat(20), tokenExpirationDateTime: null }, NOW), "no expiry to judge").to.equal(false);
    });

    it("always has a tokenValidityInSeconds to send: declared, the default 90 days, or 65 years for tokens that never expire", () => {
        expect(validitySeconds(androidDeviceOwnerKind, FULLY_MANAGED, NOW)).to.equal(NON_EXPIRING_VALIDITY_SECONDS);
        expect(NON_EXPIRING_VALIDITY_SECONDS).to.be.at.most(2_147_483_647);
        expect(validitySeconds(androidDeviceOwnerKind, DEDICATED, NOW)).to.equal(30 * 86_400);
        expect(validitySeconds(androidDeviceOwnerKind, { displayName: "K", enrollmentMode: "corporateOwnedDedicatedDevice" }, NOW)).to.equal(90 * 86_400);
        expect(validitySeconds(androidForWorkKind, { displayName: "L" }, NOW)).to.equal(90 * 86_400);
        expect(
            validitySeconds(androidDeviceOwnerKind, { ...DEDICATED, tokenValidityDays: undefined, tokenExpirationDateTime: at(NOW + 10 * DAY) }, NOW),
        ).to.equal(10 * 86_400);
    });

    it("says why a token is due: none, expired, inside its window, or another validity declared", () => {
        const token = (expiry: number) => ({ tokenValue: "1".repeat(20), tokenExpirationDateTime: at(expiry), tokenValidityDays: 30 });
        expect(tokenRenewalReason(androidDeviceOwnerKind, {}, DEDICATED, NOW)).to.equal("the profile has no enrollment token");
        expect(tokenRenewalReason(androidDeviceOwnerKind, token(NOW - DAY), DEDICATED, NOW)).to.equal("the enrollment token has expired or was revoked");
        expect(tokenRenewalReason(androidDeviceOwnerKind, token(NOW + 6 * DAY), DEDICATED, NOW)).to.match(/^the enrollment token expires within 7 days \(on /);
        expect(tokenRenewalReason(androidDeviceOwnerKind, token(NOW + 20 * DAY), DEDICATED, NOW)).to.equal(undefined);
        expect(tokenRenewalReason(androidDeviceOwnerKind, token(NOW + 20 * DAY), { ...DEDICATED, tokenValidityDays: 60 }, NOW)).to.equal(
            "tokenValidityDays changed from 30 to 60",
        );
    });

    it("issues no token when the validity first declared (after an import) is the one the token was issued for", () => {
        const imported = { tokenValue: "1".repeat(20), tokenCreationDateTime: at(NOW - 10 * DAY), tokenExpirationDateTime: at(NOW + 80 * DAY) };
        expect(tokenRenewalReason(androidDeviceOwnerKind, imported, { ...DEDICATED, tokenValidityDays: 90 }, NOW)).to.equal(undefined);
        expect(tokenRenewalReason(androidDeviceOwnerKind, imported, { ...DEDICATED, tokenValidityDays: 30 }, NOW)).to.equal(
            "tokenValidityDays changed from the default to 30",
        );
        // Declared before, the recorded validity decides: a change of it is a change.
        expect(tokenRenewalReason(androidDeviceOwnerKind, { ...imported, tokenValidityDays: 60 }, { ...DEDICATED, tokenValidityDays: 90 }, NOW)).to.equal(
            "tokenValidityDays changed from 60 to 90",
        );
    });

    it("issues no legacy token (no issue date) when the validity first declared is the one it was issued for while none was", () => {
        const legacy = { displayName: "Legacy" };
        // Made 10 days ago without a validity: its token was issued then, for the 90 days renewals use.
        const made = { ...legacy, createdDateTime: at(NOW - 10 * DAY), tokenValue: "ABCDEFGH", tokenExpirationDateTime: at(NOW + 80 * DAY) };
        expect(tokenRenewalReason(androidForWorkKind, made, { ...legacy, tokenValidityDays: 90 }, NOW)).to.equal(undefined);
        expect(tokenRenewalReason(androidForWorkKind, made, { ...legacy, tokenValidityDays: 30 }, NOW)).to.equal(
            "tokenValidityDays changed from the default to 30",
        );
        // Any other token is renewed, since nothing says what it was issued for: one issued at the create for 30 days
        // (its validity since removed from the program), a later one (a 30-day renewal 70 days on), one with a fixed
        // expiry, and one of a profile whose making date is a placeholder.
        const others: Record<string, unknown>[] = [
            { ...made, tokenExpirationDateTime: at(NOW + 20 * DAY) },
            { ...made, createdDateTime: at(NOW - 75 * DAY), tokenExpirationDateTime: at(NOW + 25 * DAY) },
            { ...made, requestedTokenExpirationDateTime: made.tokenExpirationDateTime },
            { ...made, createdDateTime: "0001-01-01T00:00:00Z" },
        ];
        for (const olds of others) {
            expect(tokenRenewalReason(androidForWorkKind, olds, { ...legacy, tokenValidityDays: 90 }, NOW), JSON.stringify(olds)).to.equal(
                "tokenValidityDays changed from the default to 90",
            );
        }
    });

    it("takes a read-back token as fresh only when it is new, its QR code carries it, and (if it expires) it has the asked expiry", () => {
        const fresh = { tokenValue: "NEWTOKEN", qrCodeContent: '{"x":"NEWTOKEN"}', tokenExpirationDateTime: at(NOW + 30 * DAY) };
        expect(tokenIsFresh(rules(DEDICATED), fresh, "OLDTOKEN", NOW + 30 * DAY)).to.equal(true);
        expect(tokenIsFresh(rules(DEDICATED), fresh, "NEWTOKEN", NOW + 30 * DAY), "the old one").to.equal(false);
        expect(tokenIsFresh(rules(DEDICATED), { ...fresh, qrCodeContent: '{"x":"OLDTOKEN"}' }, "OLDTOKEN", NOW + 30 * DAY), "a stale QR").to.equal(false);
        expect(tokenIsFresh(rules(DEDICATED), fresh, "OLDTOKEN", NOW + 60 * DAY), "another expiry").to.equal(false);
        expect(tokenIsFresh(rules(FULLY_MANAGED), { ...fresh, tokenExpirationDateTime: null }, "OLDTOKEN", undefined), "never expires").to.equal(true);
    });
});
