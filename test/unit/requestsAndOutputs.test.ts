import { expect } from "chai";
import { judgePlace, normalGraphRoot, placeNow } from "../../provider/profiles/binding";
import { buildCreateBody, buildPatchBody } from "../../provider/profiles/construct";
import { androidDeviceOwnerKind } from "../../provider/profiles/kinds/androidDeviceOwner";
import { outputs, selectFor } from "../../provider/profiles/state";

/** Request bodies, outputs and where a profile lives, as pure functions. */

const kind = androidDeviceOwnerKind;

describe("unit: request bodies", () => {
    it("sends only declared writable properties, with the type, and the first token's expiry when asked", () => {
        const body = buildCreateBody(
            kind,
            { displayName: "K", enrollmentMode: "corporateOwnedDedicatedDevice", tokenValidityDays: 30, adoptByDisplayName: false },
            Date.parse("2027-01-01T00:00:00Z"),
        );
        expect(body).to.deep.equal({
            "@odata.type": "#microsoft.graph.androidDeviceOwnerEnrollmentProfile",
            displayName: "K",
            enrollmentMode: "corporateOwnedDedicatedDevice",
            tokenExpirationDateTime: "2027-01-01T00:00:00.000Z",
        });
    });

    it("patches only what changed, never a create-only property", () => {
        const olds = { displayName: "K", enrollmentMode: "corporateOwnedDedicatedDevice", roleScopeTagIds: ["0"] };
        expect(buildPatchBody(kind, olds, { ...olds, roleScopeTagIds: ["0"] })).to.deep.equal({});
        expect(buildPatchBody(kind, olds, { ...olds, displayName: "K2", enrollmentMode: "corporateOwnedFullyManaged" })).to.deep.equal({
            displayName: "K2",
            "@odata.type": "#microsoft.graph.androidDeviceOwnerEnrollmentProfile",
        });
    });
});

describe("unit: outputs", () => {
    it("are plain JSON: declared inputs with live values, every server property, the QR image split when asked for, write-only kept", () => {
        const entity = {
            id: "5b0f3c2e-9d1a-4c8e-8f6b-2a7d9e1c4b3f",
            displayName: "Live name",
            enrollmentMode: "corporateOwnedAOSPUserlessDevice",
            wifiPassword: null,
            tokenValue: "1".repeat(20),
            qrCodeImage: { type: "image/png", value: "iVBORw0KGgo=" },
            enrolledDeviceCount: 3,
        };
        const declared = { displayName: "K", enrollmentMode: "corporateOwnedAOSPUserlessDevice", wifiPassword: "pw-kept" };
        const light = outputs(kind, declared, entity);
        expect(light).to.not.have.any.keys("qrCodeImage", "qrCodeImageType");
        expect(light.tokenValue).to.equal(entity.tokenValue);
        expect(selectFor(kind, declared).split(",")).to.include("qrCodeContent").and.not.include("qrCodeImage");

        const withImage = { ...declared, includeQrCodeImage: true };
        expect(selectFor(kind, withImage).split(",")).to.include("qrCodeImage");
        const outs = outputs(kind, withImage, entity);
        expect(outs).to.include({
            profileId: entity.id,
            displayName: "Live name",
            wifiPassword: "pw-kept",
            qrCodeImage: "iVBORw0KGgo=",
            qrCodeImageType: "image/png",
            enrolledDeviceCount: 3,
        });
        expect(outs.tokenCreationDateTime).to.equal(null);
        expect(JSON.parse(JSON.stringify(outs))).to.deep.equal(outs);
    });

    it("keep the declared order with live values, then the requested expiry, profileId and server properties; nothing undefined", () => {
        const entity = { id: "5b0f3c2e-9d1a-4c8e-8f6b-2a7d9e1c4b3f", displayName: "Live", description: null, tokenExpirationDateTime: "2031-01-01T00:00:00Z" };
        const declared = { description: "d", displayName: "K", tokenExpirationDateTime: "2030-01-01T00:00:00Z", wifiSsid: undefined };
        const keys = Object.keys(outputs(kind, declared, entity));
        expect(keys.slice(0, 4)).to.deep.equal(["description", "displayName", "requestedTokenExpirationDateTime", "enrollmentTimeDeviceMembershipTarget"]);
        expect(keys[4]).to.equal("profileId");
        expect(keys).to.not.include("wifiSsid").and.not.include("qrCodeImage");
        const outs = outputs(kind, declared, entity);
        // A writable property takes the live value, null included; the requested expiry stays the declared one.
        expect(outs).to.include({ description: null, displayName: "Live", requestedTokenExpirationDateTime: "2030-01-01T00:00:00Z", profileId: entity.id });
    });
});

describe("unit: where a profile lives", () => {
    const tenantA = "8c1c6f5e-0d2c-4b9e-9f3a-2b7e1c3a9d10";
    const tenantB = "3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b";
    const graph = "https://graph.microsoft.com";

    it("drops a loopback emulator's port, and nothing else's", () => {
        expect(normalGraphRoot("https://127.0.0.1:8443/")).to.equal("https://127.0.0.1");
        expect(normalGraphRoot("https://graph.microsoft.us")).to.equal("https://graph.microsoft.us");
        expect(normalGraphRoot("https://proxy.example:8443")).to.equal("https://proxy.example:8443");
    });

    it("goes ahead in the same place or an unrecorded one, refuses another, and leaves behind only what moveFrom names", () => {
        const here = placeNow(tenantB, graph);
        expect(judgePlace("x", undefined, here, undefined)).to.equal("here");
        expect(judgePlace("x", placeNow(tenantB, graph), here, undefined)).to.equal("here");
        expect(() => judgePlace("Reading", placeNow(tenantA, graph), here, undefined)).to.throw(
            /lives in tenant 8c1c.* but this run is configured for tenant 3f2a/,
        );
        expect(() => judgePlace("Reading", placeNow(tenantB, "https://graph.microsoft.us"), here, undefined)).to.throw(/graph\.microsoft\.us/);
        expect(judgePlace("x", placeNow(tenantA, graph), here, { tenantId: tenantA })).to.equal("left behind");
        expect(judgePlace("x", placeNow(tenantA, "https://127.0.0.1:9"), here, { emulator: true })).to.equal("left behind");
        expect(() => judgePlace("x", placeNow(tenantA, graph), here, { emulator: true })).to.throw(/refused/);
        // moveFrom names one place: a profile in any other tenant is still refused, never released.
        expect(() => judgePlace("x", placeNow(tenantA, graph), here, { tenantId: "0a1b2c3d-0000-4000-8000-000000000099" })).to.throw(/refused/);
        expect(() => judgePlace("x", placeNow(tenantA, "https://127.0.0.1:9"), here, { tenantId: tenantB })).to.throw(/refused/);
    });
});
