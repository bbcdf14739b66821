import { expect } from "chai";
import { useEmulator } from "./support/emulator";
import {
    DEVICE_OWNER,
    deviceOwnerBody,
    Graph,
    Json,
    LEGACY,
    legacyBody,
    LEGACY_TOKEN_SELECT,
    MODES,
    provisioningDoc,
    TOKEN_SELECT,
} from "./support/emulatorGraph";
import { isPng, readQrPng } from "./support/emulatorQr";

/** Asserts the profile's qrCodeImage is a PNG that a QR reader decodes to exactly its qrCodeContent. */
function expectImageEncodesContent(profile: Json): string {
    expect(profile.qrCodeImage.type).to.equal("image/png");
    expect(isPng(Buffer.from(profile.qrCodeImage.value, "base64"))).to.equal(true);
    const decoded = readQrPng(profile.qrCodeImage.value);
    expect(decoded).to.equal(profile.qrCodeContent);
    return decoded;
}

describe("emulator: qrCodeImage is a real QR code of qrCodeContent", () => {
    const ctx = useEmulator();
    const graph = (): Graph => new Graph(ctx.emulator);

    it("encodes a GMS (fully managed) profile's provisioning JSON, token included", async () => {
        const g = graph();
        const created = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.fullyManaged));
        const read = await g.read(DEVICE_OWNER, created.id, TOKEN_SELECT);
        const decoded = expectImageEncodesContent(read);
        expect(decoded).to.contain(read.tokenValue);
    });

    it("encodes an AOSP profile's base64 document with its Wi-Fi settings", async () => {
        const g = graph();
        const created = await g.create(
            DEVICE_OWNER,
            deviceOwnerBody(MODES.aospUserAssociated, {
                wifiSsid: "Clinic-Guest",
                wifiPassword: "correct horse battery",
                wifiSecurityType: "wpa",
                wifiHidden: true,
            }),
        );
        const read = await g.read(DEVICE_OWNER, created.id, TOKEN_SELECT);
        const doc = provisioningDoc(expectImageEncodesContent(read));
        expect(doc["android.app.extra.PROVISIONING_WIFI_SSID"]).to.equal("Clinic-Guest");
        expect(doc["android.app.extra.PROVISIONING_WIFI_PASSWORD"]).to.equal("correct horse battery");
        expect(doc["android.app.extra.PROVISIONING_WIFI_HIDDEN"]).to.equal(true);
    });

    it("re-renders the AOSP image when the Wi-Fi settings change", async () => {
        const g = graph();
        const created = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.aospUserless, { wifiSsid: "Old-SSID", wifiSecurityType: "none" }));
        expect((await g.patch(g.item(DEVICE_OWNER, created.id), { wifiSsid: "New-SSID" })).status).to.equal(204);
        const read = await g.read(DEVICE_OWNER, created.id, TOKEN_SELECT);
        expect(provisioningDoc(expectImageEncodesContent(read))["android.app.extra.PROVISIONING_WIFI_SSID"]).to.equal("New-SSID");
    });

    it("encodes the new token after createToken on a legacy profile", async () => {
        const g = graph();
        const created = await g.create(LEGACY, legacyBody());
        expect((await g.post(g.item(LEGACY, created.id, "/createToken"), { tokenValidityInSeconds: 3600 })).status).to.equal(204);
        const read = await g.read(LEGACY, created.id, LEGACY_TOKEN_SELECT);
        expect(expectImageEncodesContent(read)).to.contain(read.tokenValue);
    });
});
