import { expect } from "chai";
import { renderQrCode } from "../provider";
import {
    checked,
    count,
    createChecked,
    decodeQrPng,
    deviceOwner,
    DEVICE_OWNER,
    forWork,
    graphCalls,
    PROVIDER_TEXT,
    Props,
    useProfileEmulator,
} from "./support/profiles";

/**
 * The QR image is opt-in (`includeQrCodeImage`): by default a profile's state holds the QR code's content, not its
 * picture, and `renderQrCode` draws the picture from the content wherever one is needed.
 */
describe("profiles: the QR code image, kept only when asked for", () => {
    const ctx = useProfileEmulator();
    const KIOSK: Props = { displayName: "Dock scanners", enrollmentMode: "corporateOwnedDedicatedDevice", tokenValidityDays: 30 };

    it("is left out of the outputs by default, and the picture drawn from qrCodeContent reads back as that content", async () => {
        const { outs } = await createChecked(deviceOwner, KIOSK);
        expect(outs).to.not.have.any.keys("qrCodeImage", "qrCodeImageType");
        expect(outs.qrCodeContent).to.be.a("string").and.include(outs.tokenValue);
        expect(decodeQrPng(await renderQrCode(outs.qrCodeContent, "pngBase64"))).to.equal(outs.qrCodeContent);
        expect(decodeQrPng((await renderQrCode(outs.qrCodeContent)).toString("base64"))).to.equal(outs.qrCodeContent);
    });

    it("is kept when includeQrCodeImage is true, for both types", async () => {
        for (const [provider, program] of [
            [deviceOwner, { ...KIOSK, includeQrCodeImage: true }],
            [forWork, { displayName: "Legacy desk", includeQrCodeImage: true }],
        ] as const) {
            const { outs } = await createChecked(provider, program);
            expect(outs.qrCodeImageType).to.equal("image/png");
            expect(decodeQrPng(outs.qrCodeImage)).to.equal(outs.qrCodeContent);
            expect(outs.includeQrCodeImage).to.equal(true);
        }
    });

    it("turned on or off for an existing profile, is an in-place update that reads the profile again and writes nothing", async () => {
        const { id, inputs, outs } = await createChecked(deviceOwner, KIOSK);
        const on = await checked(deviceOwner, { ...KIOSK, includeQrCodeImage: true }, inputs);
        expect(await deviceOwner.diff(id, outs, on)).to.deep.include({ changes: true, replaces: [] });
        ctx.emulator.clearRequests();
        const withImage = (await deviceOwner.update(id, { ...outs, __provider: PROVIDER_TEXT }, on)).outs!;
        expect(graphCalls(ctx.emulator).filter((c) => !c.startsWith("GET"))).to.deep.equal([]);
        expect(count(graphCalls(ctx.emulator), "GET get")).to.equal(1);
        expect(withImage.tokenValue, "the same token").to.equal(outs.tokenValue);
        expect(decodeQrPng(withImage.qrCodeImage)).to.equal(outs.qrCodeContent);
        expect((await deviceOwner.diff(id, withImage, on)).changes).to.equal(false);

        // A refresh keeps it while it is asked for.
        const refreshed = await deviceOwner.read(id, { ...withImage, __provider: PROVIDER_TEXT });
        expect(refreshed.props!.qrCodeImage).to.equal(withImage.qrCodeImage);

        const off = await checked(deviceOwner, KIOSK, on);
        expect((await deviceOwner.diff(id, withImage, off)).changes).to.equal(true);
        ctx.emulator.clearRequests();
        const without = (await deviceOwner.update(id, { ...withImage, __provider: PROVIDER_TEXT }, off)).outs!;
        expect(graphCalls(ctx.emulator).filter((c) => !c.startsWith("GET"))).to.deep.equal([]);
        expect(without).to.not.have.any.keys("qrCodeImage", "qrCodeImageType", "includeQrCodeImage");
        expect(without.tokenValue).to.equal(outs.tokenValue);
        expect(ctx.emulator.profiles(DEVICE_OWNER)).to.have.length(1);
    });

    it("draws the content for a terminal and as SVG, and refuses what is not a QR code's content", async () => {
        const content = JSON.stringify({
            "android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE": { "com.google.android.apps.work.clouddpc.EXTRA_ENROLLMENT_TOKEN": "ABCDEFGHIJ" },
        });
        const terminal = await renderQrCode(content, "terminal");
        expect(terminal.split("\n").length).to.be.greaterThan(20);
        expect(terminal).to.match(/[█▀▄]/);
        expect(await renderQrCode(content, "svg")).to.match(/^<svg[^>]*>/);
        for (const bad of ["", null, undefined]) {
            await renderQrCode(bad as unknown as string).then(
                () => expect.fail(`rendered ${String(bad)}`),
                (err: Error) => expect(err.message).to.match(/qrCodeContent must be a non-empty string/),
            );
        }
        await renderQrCode(content, "gif" as "png").then(
            () => expect.fail("rendered a gif"),
            (err: Error) => expect(err.message).to.match(/format must be "png", "pngBase64", "terminal" or "svg", got "gif"/),
        );
    });
});
