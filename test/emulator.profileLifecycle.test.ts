import { expect } from "chai";
import { call } from "./support/http";
import { useEmulator } from "./support/emulator";

describe("emulator: a device-owner profile's life over HTTPS", () => {
    const ctx = useEmulator();
    const collection = () => `${ctx.emulator.graphUrl}/beta/deviceManagement/androidDeviceOwnerEnrollmentProfiles`;

    it("creates (201), reads token fields only when selected, deletes (204), then answers 404", async () => {
        const token = ctx.emulator.issueToken();
        const ca = ctx.emulator.caPem;
        const created = await call(ca, "POST", collection(), {
            token,
            body: { displayName: "Warehouse scanners", enrollmentMode: "corporateOwnedDedicatedDevice" },
        });
        expect(created.status).to.equal(201);
        expect(created.json.id).to.match(/^[0-9a-f-]{36}$/);
        expect(created.json.tokenValue).to.match(/^\d{20}$/);
        expect(created.json.createdDateTime).to.match(/\.\d{7}Z$/);

        const plain = await call(ca, "GET", `${collection()}/${created.json.id}`, { token });
        expect(plain.status).to.equal(200);
        expect(plain.json.tokenValue).to.equal(null);
        expect(plain.json.qrCodeImage).to.equal(null);

        const selected = await call(ca, "GET", `${collection()}/${created.json.id}?$select=tokenValue,qrCodeContent`, { token });
        expect(selected.json.tokenValue).to.equal(created.json.tokenValue);
        expect(selected.json.qrCodeContent).to.contain(created.json.tokenValue);

        expect((await call(ca, "DELETE", `${collection()}/${created.json.id}`, { token })).status).to.equal(204);
        const gone = await call(ca, "GET", `${collection()}/${created.json.id}`, { token });
        expect(gone.status).to.equal(404);
        expect(JSON.parse(gone.json.error.message)._version).to.equal(3);
    });
});
