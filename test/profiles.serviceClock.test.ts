import { expect } from "chai";
import { createChecked, DAY_MS, deviceOwner, Props, PROVIDER_TEXT, useProfileEmulator } from "./support/profiles";

const KIOSK: Props = { displayName: "Clocked kiosk", enrollmentMode: "corporateOwnedDedicatedDevice", tokenValidityDays: 30, renewTokenWithinDays: 7 };

/** Tokens expire by the service's clock: renewal is judged by it, even when this machine's clock disagrees. */
describe("profiles: renewal judged by the service's clock", () => {
    const ctx = useProfileEmulator();

    it("keeps no clock offset in state while the clocks agree", async () => {
        const { outs } = await createChecked(deviceOwner, KIOSK);
        expect(outs).to.not.have.property("serviceClockOffsetSeconds");
    });

    it("renews a token that is inside its renewal window by the service's clock, and records the offset", async () => {
        const { id, outs, inputs } = await createChecked(deviceOwner, KIOSK);
        ctx.emulator.setClockOffset(25 * DAY_MS); // five days left by Intune's clock, none of it visible locally
        expect((await deviceOwner.diff(id, outs, inputs)).changes).to.equal(false);

        const refreshed = await deviceOwner.read(id, { ...outs, __provider: PROVIDER_TEXT });
        expect(refreshed.props!.serviceClockOffsetSeconds).to.be.closeTo(25 * 86_400, 120);
        expect((await deviceOwner.diff(id, refreshed.props!, inputs)).changes).to.equal(true);

        const updated = (await deviceOwner.update(id, refreshed.props!, inputs)).outs!;
        expect(updated.tokenValue).to.not.equal(outs.tokenValue);
        expect(Date.parse(updated.tokenExpirationDateTime)).to.be.closeTo(ctx.emulator.now() + 30 * DAY_MS, DAY_MS);
        expect((await deviceOwner.diff(id, updated, inputs)).changes).to.equal(false);
    });
});
