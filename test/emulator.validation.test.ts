import { expect } from "chai";
import { useEmulator } from "./support/emulator";
import { DEVICE_OWNER, deviceOwnerBody, expectGraphError, Graph, intuneMessage, Json, LEGACY, MODES } from "./support/emulatorGraph";

describe("emulator validation: bad bodies answer 400 with a Graph error", () => {
    const ctx = useEmulator();
    const graph = (): Graph => new Graph(ctx.emulator);
    const createDeviceOwner = (body: Json) => graph().post(`/deviceManagement/${DEVICE_OWNER}`, body);

    async function expectNothingStored(): Promise<void> {
        expect(ctx.emulator.profiles(DEVICE_OWNER)).to.have.length(0);
    }

    it("refuses an unknown enrollmentMode", async () => {
        expectGraphError(await createDeviceOwner({ displayName: "x", enrollmentMode: "corporateOwnedKiosk" }), 400, "BadRequest", "corporateOwnedKiosk");
        await expectNothingStored();
    });

    it("refuses an enum integer outside the enum", async () => {
        expectGraphError(await createDeviceOwner({ displayName: "x", enrollmentMode: 9 }), 400, "BadRequest");
        await expectNothingStored();
    });

    it("refuses an unknown enrollmentTokenType and wifiSecurityType", async () => {
        expectGraphError(await createDeviceOwner(deviceOwnerBody(MODES.dedicated, { enrollmentTokenType: "forever" })), 400, "BadRequest", "forever");
        expectGraphError(await createDeviceOwner(deviceOwnerBody(MODES.aospUserless, { wifiSecurityType: "wpa3" })), 400, "BadRequest", "wpa3");
        await expectNothingStored();
    });

    it("refuses deviceStaging on a dedicated profile, with the Intune nested message", async () => {
        const res = await createDeviceOwner(deviceOwnerBody(MODES.dedicated, { enrollmentTokenType: "deviceStaging" }));
        expectGraphError(res, 400, "BadRequest");
        expect(intuneMessage(res).Message).to.contain("deviceStaging");
        await expectNothingStored();
    });

    it("refuses the Azure AD shared-mode token type on a fully managed profile", async () => {
        const res = await createDeviceOwner(deviceOwnerBody(MODES.fullyManaged, { enrollmentTokenType: "corporateOwnedDedicatedDeviceWithAzureADSharedMode" }));
        expectGraphError(res, 400, "BadRequest", "corporateOwnedDedicatedDeviceWithAzureADSharedMode");
        await expectNothingStored();
    });

    it("accepts the pairs the spec allows: shared mode on dedicated, staging on work profile", async () => {
        const g = graph();
        await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated, { enrollmentTokenType: "corporateOwnedDedicatedDeviceWithAzureADSharedMode" }));
        await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.workProfile, { enrollmentTokenType: "deviceStaging" }));
        expect(ctx.emulator.profiles(DEVICE_OWNER)).to.have.length(2);
    });

    it("accepts a 63-character deviceNameTemplate and refuses 64", async () => {
        const g = graph();
        await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated, { deviceNameTemplate: "K".repeat(63) }));
        const res = await createDeviceOwner(deviceOwnerBody(MODES.dedicated, { deviceNameTemplate: "K".repeat(64) }));
        expectGraphError(res, 400, "BadRequest", "deviceNameTemplate");
        expect(ctx.emulator.profiles(DEVICE_OWNER)).to.have.length(1);
    });

    it("refuses a too-long deviceNameTemplate on PATCH too, leaving the profile unchanged", async () => {
        const g = graph();
        const created = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated, { deviceNameTemplate: "KIOSK-{{SERIAL}}" }));
        expectGraphError(await g.patch(g.item(DEVICE_OWNER, created.id), { deviceNameTemplate: "x".repeat(64) }), 400, "BadRequest");
        expect((await g.read(DEVICE_OWNER, created.id)).deviceNameTemplate).to.equal("KIOSK-{{SERIAL}}");
    });

    it("refuses a token validity over the mode's limit", async () => {
        const g = graph();
        const created = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.aospUserless));
        expectGraphError(await g.post(g.item(DEVICE_OWNER, created.id, "/createToken"), { tokenValidityInSeconds: 91 * 86_400 }), 400, "BadRequest");
    });

    it("refuses malformed JSON on create, update and createToken", async () => {
        const g = graph();
        expectGraphError(await g.request("POST", g.collection(DEVICE_OWNER), { rawBody: '{"displayName": ' }), 400, "BadRequest", "JSON");
        const created = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated));
        expectGraphError(await g.request("PATCH", g.item(DEVICE_OWNER, created.id), { rawBody: "not json" }), 400, "BadRequest");
        expectGraphError(await g.request("POST", g.item(DEVICE_OWNER, created.id, "/createToken"), { rawBody: "[1," }), 400, "BadRequest");
        expectGraphError(await g.request("POST", g.collection(DEVICE_OWNER), { rawBody: "[]" }), 400, "BadRequest");
    });

    it("refuses a missing or empty displayName", async () => {
        expectGraphError(await createDeviceOwner({ enrollmentMode: MODES.dedicated }), 400, "BadRequest");
        expectGraphError(await graph().post(`/deviceManagement/${LEGACY}`, { displayName: "  " }), 400, "BadRequest");
    });

    it("refuses a property of the wrong JSON type", async () => {
        expectGraphError(await createDeviceOwner(deviceOwnerBody(MODES.aospUserless, { configureWifi: "yes" })), 400, "BadRequest", "configureWifi");
        expectGraphError(await createDeviceOwner(deviceOwnerBody(MODES.dedicated, { roleScopeTagIds: "0" })), 400, "BadRequest", "roleScopeTagIds");
    });

    it("refuses changing enrollmentMode or enrollmentTokenType via PATCH, but accepts resending the same value", async () => {
        const g = graph();
        const created = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.fullyManaged));
        const res = await g.patch(g.item(DEVICE_OWNER, created.id), { enrollmentMode: MODES.workProfile });
        expectGraphError(res, 400, "BadRequest");
        expect(intuneMessage(res).Message).to.contain("enrollmentMode");
        expectGraphError(await g.patch(g.item(DEVICE_OWNER, created.id), { enrollmentTokenType: "deviceStaging" }), 400, "BadRequest");
        expect((await g.patch(g.item(DEVICE_OWNER, created.id), { enrollmentMode: MODES.fullyManaged, displayName: "Same mode" })).status).to.equal(204);
        const read = await g.read(DEVICE_OWNER, created.id);
        expect(read.enrollmentMode).to.equal(MODES.fullyManaged);
        expect(read.enrollmentTokenType).to.equal("default");
    });

    for (const reading of ["415", "400"] as const) {
        it(`refuses a body that is not labelled application/json (bodyWithoutJsonType ${reading}), and takes one that is`, async () => {
            ctx.emulator.setBehaviour({ bodyWithoutJsonType: reading });
            const g = graph();
            const body = deviceOwnerBody(MODES.dedicated);
            for (const type of ["application/x-www-form-urlencoded", "text/plain"]) {
                const res = await g.post(g.collection(DEVICE_OWNER), body, { headers: { "Content-Type": type } });
                expectGraphError(res, Number(reading), reading === "415" ? "UnsupportedMediaType" : "BadRequest");
            }
            await expectNothingStored();
            const created = await g.post(g.collection(DEVICE_OWNER), body, { headers: { "Content-Type": "application/json; charset=utf-8" } });
            expect(created.status).to.equal(201);
            const id = String(created.json.id);
            expectGraphError(
                await g.patch(g.item(DEVICE_OWNER, id), { displayName: "y" }, { headers: { "Content-Type": "text/plain" } }),
                Number(reading),
                reading === "415" ? "UnsupportedMediaType" : "BadRequest",
            );
            expect((await g.post(g.item(DEVICE_OWNER, id, "/revokeToken"), undefined)).status, "an action with no body needs no type").to.equal(204);
        });
    }
});
