import { expect } from "chai";
import {
    createChecked,
    DEVICE_OWNER,
    deviceOwner,
    expectNoSecrets,
    FOR_WORK,
    forWork,
    Props,
    PROVIDER_TEXT,
    rejectionOf,
    secretsOf,
    useProfileEmulator,
} from "./support/profiles";

const KIOSK: Props = { displayName: "Warehouse scanners", enrollmentMode: "corporateOwnedDedicatedDevice", tokenValidityDays: 90 };
const state = (outs: Props): Props => ({ ...outs, __provider: PROVIDER_TEXT });

describe("profiles: delete", () => {
    const ctx = useProfileEmulator();
    const ops = (): string[] => ctx.emulator.requests().map((r) => `${r.method} ${r.operation} ${r.status}`);

    it("deletes a profile with one DELETE, without touching its token", async () => {
        const { id, outs } = await createChecked(deviceOwner, KIOSK);
        ctx.emulator.clearRequests();
        await deviceOwner.delete(id, state(outs));
        expect(ops()).to.deep.equal(["DELETE delete 204"]);
        expect(ctx.emulator.profiles(DEVICE_OWNER)).to.deep.equal([]);
    });

    it("revokes the token first when revokeTokenOnDelete is set", async () => {
        for (const [provider, collection, news] of [
            [deviceOwner, DEVICE_OWNER, { ...KIOSK, revokeTokenOnDelete: true }],
            [forWork, FOR_WORK, { displayName: "Legacy", revokeTokenOnDelete: true }],
        ] as const) {
            const { id, outs } = await createChecked(provider, news);
            ctx.emulator.clearRequests();
            await provider.delete(id, state(outs));
            expect(ops()).to.deep.equal(["POST revokeToken 204", "DELETE delete 204"]);
            expect(ctx.emulator.profiles(collection)).to.deep.equal([]);
        }
    });

    it("deletes a profile whose never-expiring token the service refuses to revoke, whatever status the refusal has", async () => {
        // Which status Intune gives that refusal is not written down; the delete takes the token with the profile.
        const fullyManaged: Props = { displayName: "Sales phones", enrollmentMode: "corporateOwnedFullyManaged", revokeTokenOnDelete: true };
        for (const status of [400, 403, 405, 409, 422, 501] as const) {
            ctx.emulator.setBehaviour({ revokeRefusalStatus: status });
            const { id, outs } = await createChecked(deviceOwner, fullyManaged);
            ctx.emulator.clearRequests();
            await deviceOwner.delete(id, state(outs));
            expect(ops(), `refused with ${status}`).to.deep.equal([`POST revokeToken ${status}`, "DELETE delete 204"]);
        }
        expect(ctx.emulator.profiles(DEVICE_OWNER)).to.deep.equal([]);
    });

    it("keeps a profile whose revoke fails with an outage: the refusal rule is no excuse for a 5xx", async () => {
        const { id, outs } = await createChecked(deviceOwner, {
            displayName: "Sales phones",
            enrollmentMode: "corporateOwnedFullyManaged",
            revokeTokenOnDelete: true,
        });
        ctx.emulator.setFaults({ rules: [{ method: "POST", path: "/revokeToken$", status: 500 }] });
        const err = await rejectionOf(deviceOwner.delete(id, state(outs)));
        expect(err.message).to.match(/Revoking the enrollment token of Android enrollment profile "Sales phones" failed: 500/);
        expect(ctx.emulator.profiles(DEVICE_OWNER).map((p) => p.id)).to.deep.equal([id]);
    });

    it("treats a profile already gone as deleted, with or without revoking", async () => {
        // The service was asked (a DELETE answered 404, after a revoke answered 404 when asked for) and said "gone".
        // Only what the delete sent: the requests are cleared before each.
        const answers = (id: string): string[] =>
            ctx.emulator
                .requests()
                .filter((r) => r.method !== "GET" && r.path.includes(id))
                .map((r) => `${r.operation} ${r.status}`);
        for (const [news, expected] of [
            [KIOSK, ["delete 404"]],
            [{ ...KIOSK, revokeTokenOnDelete: true }, ["revokeToken 404", "delete 404"]],
        ] as const) {
            const { id, outs } = await createChecked(deviceOwner, news);
            ctx.emulator.deleteInPortal(DEVICE_OWNER, id);
            ctx.emulator.clearRequests();
            expect(await deviceOwner.delete(id, state(outs))).to.equal(undefined);
            expect(answers(id)).to.deep.equal(expected);
        }
        const legacy = await createChecked(forWork, { displayName: "Legacy" });
        ctx.emulator.deleteInPortal(FOR_WORK, legacy.id);
        ctx.emulator.clearRequests();
        expect(await forWork.delete(legacy.id, state(legacy.outs))).to.equal(undefined);
        expect(answers(legacy.id)).to.deep.equal(["delete 404"]);
        expect([...ctx.emulator.profiles(DEVICE_OWNER), ...ctx.emulator.profiles(FOR_WORK)]).to.deep.equal([]);
    });

    it("throws when the service refuses, so the engine keeps the resource, and names no secret", async () => {
        const { id, outs } = await createChecked(deviceOwner, { ...KIOSK, revokeTokenOnDelete: true });
        ctx.emulator.setFaults({ rules: [{ method: "DELETE", status: 403, times: 1 }] });
        const err = await rejectionOf(deviceOwner.delete(id, state(outs)));
        expect(err.message).to.match(/Deleting Android enrollment profile "Warehouse scanners" failed: 403/);
        expect(err.message).to.match(/DeviceManagementConfiguration\.ReadWrite\.All/);
        expectNoSecrets(err.message, [...secretsOf(outs), ctx.emulator.defaultApp.secret]);
        expect(ctx.emulator.profiles(DEVICE_OWNER).map((p) => p.id)).to.deep.equal([id]);
        await deviceOwner.delete(id, state(outs));
        expect(ctx.emulator.profiles(DEVICE_OWNER)).to.deep.equal([]);
    });
});
