import { expect } from "chai";
import { createTimeExpiry } from "../provider/profiles/token";
import { androidDeviceOwnerKind } from "../provider/profiles/kinds/androidDeviceOwner";
import {
    checked,
    count,
    createChecked,
    DAY_MS,
    DEVICE_OWNER,
    deviceOwner,
    expectExpiryInDays,
    graphCalls,
    rejectionOf,
    useProfileEmulator,
} from "./support/profiles";

/**
 * Whether a create may carry the first token's expiry is unconfirmed (graph-api.md); a service that refuses it
 * answers 400, in words of its own choosing. The provider learns per Graph root, so each suite here has an emulator
 * (a root) of its own.
 */

const KIOSK = { enrollmentMode: "corporateOwnedDedicatedDevice", tokenValidityDays: 30 };

/** POSTs to a profile collection, answered or not (a request the emulator faulted is recorded without its operation). */
const createPosts = (requests: { method: string; path: string }[]): number => requests.filter((r) => r.method === "POST" && /Profiles$/.test(r.path)).length;

describe("profiles: a create whose first-token expiry is refused in words that name no property", () => {
    const ctx = useProfileEmulator({ behaviour: { readOnlyPropertiesInBody: "reject", refusalWording: "unusual" } });

    it("is sent again without the expiry, the token issued with the declared validity; the next create leaves it out from the start", async () => {
        const { outs } = await createChecked(deviceOwner, { ...KIOSK, displayName: "Generic refusal" });
        expectExpiryInDays(outs, 30);
        expect(ctx.emulator.profiles(DEVICE_OWNER), "no duplicate").to.have.length(1);
        const calls = ctx.emulator.requests().map((r) => `${r.method} ${r.operation} ${r.status}`);
        expect(
            calls.filter((c) => c.startsWith("POST create")),
            calls.join(", "),
        ).to.deep.equal(["POST create 400", "POST create 201", "POST createToken 204"]);

        ctx.emulator.clearRequests();
        await createChecked(deviceOwner, { ...KIOSK, displayName: "Learnt" });
        const next = ctx.emulator.requests().map((r) => `${r.method} ${r.operation} ${r.status}`);
        expect(
            next.filter((c) => c.startsWith("POST create ")),
            next.join(", "),
        ).to.deep.equal(["POST create 201"]);
    });
});

describe("profiles: a create refused for another reason", () => {
    const ctx = useProfileEmulator();

    it("reports the refusal of the create sent without the expiry, makes nothing, and learns nothing from it", async () => {
        ctx.emulator.setFaults({
            rules: [{ method: "POST", path: "Profiles$", status: 400, code: "BadRequest", message: "The SSID is not allowed.", times: 2 }],
        });
        const err = await rejectionOf(deviceOwner.create(await checked(deviceOwner, { ...KIOSK, displayName: "Refused" })));
        expect(err.message).to.match(/Creating Android enrollment profile "Refused" failed: 400/);
        expect(createPosts(ctx.emulator.requests()), "the create, then the same without the expiry").to.equal(2);
        expect(ctx.emulator.profiles(DEVICE_OWNER)).to.deep.equal([]);

        ctx.emulator.clearFaults();
        ctx.emulator.clearRequests();
        const { outs } = await createChecked(deviceOwner, { ...KIOSK, displayName: "Accepted" });
        expectExpiryInDays(outs, 30);
        const calls = graphCalls(ctx.emulator);
        expect(count(calls, "POST create"), calls.join(", ")).to.equal(1);
        expect(count(calls, "POST createToken"), "the token came with the create").to.equal(0);
    });
});

describe("profiles: a create at a type's longest validity", () => {
    const ctx = useProfileEmulator();

    it("is accepted by a service whose clock is up to a minute behind this machine's", async () => {
        ctx.emulator.setClockOffset(-45_000); // below what the client corrects for
        const { outs } = await createChecked(deviceOwner, {
            displayName: "Longest",
            enrollmentMode: "corporateOwnedAOSPUserlessDevice",
            tokenValidityDays: 90,
        });
        expectExpiryInDays(outs, 90);
        const calls = graphCalls(ctx.emulator);
        expect(count(calls, "POST create"), calls.join(", ")).to.equal(1);
        expect(count(calls, "POST createToken"), calls.join(", ")).to.equal(0);
    });

    it("sends an expiry a minute inside the limit only where the limit would bind", () => {
        const now = Date.parse("2026-12-07T12:00:00Z");
        const aosp = androidDeviceOwnerKind.tokenRules({ enrollmentMode: "corporateOwnedAOSPUserlessDevice" });
        expect(createTimeExpiry(aosp, now + 90 * DAY_MS, now)).to.equal(now + 90 * DAY_MS - 60_000);
        expect(createTimeExpiry(aosp, now + 30 * DAY_MS, now)).to.equal(now + 30 * DAY_MS);
        expect(createTimeExpiry(aosp, undefined, now)).to.equal(undefined);
    });
});
