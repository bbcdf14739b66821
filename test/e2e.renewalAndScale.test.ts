import { expect } from "chai";
import * as pulumi from "@pulumi/pulumi";
import * as intune from "../provider";
import { allProfiles, destroyAndRemove, engineStack, EngineStack, log } from "./support/e2e";
import { useEmulator } from "./support/emulator";

const DAY = 86_400_000;

describe("end to end: token renewal reaches a downstream stack", function () {
    this.timeout(300_000);
    const ctx = useEmulator();
    const stacks: EngineStack[] = [];
    afterEach(async () => {
        for (const s of stacks.splice(0).reverse()) await destroyAndRemove(s);
    });

    it("renews a token inside its renewal window on up, and a StackReference sees the new token and QR content", async () => {
        const upstream = await engineStack(ctx.emulator, "renewal-upstream", "prod");
        stacks.push(upstream);
        upstream.program = async () => {
            const kiosk = new intune.AndroidDeviceOwnerEnrollmentProfile("kiosk", {
                displayName: "Renewing kiosk",
                enrollmentMode: "corporateOwnedDedicatedDevice",
                tokenValidityDays: 90,
                renewTokenWithinDays: 14,
            });
            return { id: kiosk.profileId, token: kiosk.tokenValue, qr: kiosk.qrCodeContent, expiry: kiosk.tokenExpirationDateTime };
        };
        const first = await upstream.stack.up(log(upstream));
        const firstToken = first.outputs.token.value as string;
        expect(first.outputs.token.secret).to.equal(true);

        const downstream = await engineStack(ctx.emulator, "renewal-downstream", "prod");
        stacks.push(downstream);
        downstream.program = async () => {
            const ref = new pulumi.StackReference("organization/renewal-upstream/prod");
            return { token: ref.getOutput("token"), qr: ref.getOutput("qr") };
        };
        expect((await downstream.stack.up(log(downstream))).outputs.token.value).to.equal(firstToken);

        // 80 days later by the service's clock: 10 days left, inside the 14-day renewal window.
        ctx.emulator.setClockOffset(80 * DAY);
        const renewed = await upstream.stack.up({ ...log(upstream), refresh: true });
        expect(renewed.summary.resourceChanges?.update).to.equal(1);
        const newToken = renewed.outputs.token.value as string;
        expect(newToken).to.not.equal(firstToken);
        expect(Date.parse(renewed.outputs.expiry.value as string)).to.be.closeTo(ctx.emulator.now() + 90 * DAY, DAY);
        await upstream.stack.preview({ ...log(upstream), expectNoChanges: true });
        expect(ctx.emulator.profiles("androidDeviceOwnerEnrollmentProfiles")[0].tokenValue).to.equal(newToken);

        const seen = await downstream.stack.up(log(downstream));
        expect(seen.outputs.token.value).to.equal(newToken);
        expect(seen.outputs.token.secret).to.equal(true);
        expect(seen.outputs.qr.value as string).to.include(newToken);
    });
});

describe("end to end: a throttled rollout of 200 profiles", function () {
    this.timeout(600_000);
    // Intune's limits at their real ratio (100 writes, 1000 requests per window per app) in a 2 s window.
    const ctx = useEmulator({ throttle: { windowMs: 2000 } });
    let s: EngineStack | undefined;
    after(async () => destroyAndRemove(s));

    it("completes with zero failures and exactly the declared profiles", async () => {
        s = await engineStack(ctx.emulator, "rollout-200", "e2e", { "intune:throttleWindowSeconds": "2" });
        s.program = async () => {
            for (let i = 0; i < 200; i++) {
                new intune.AndroidDeviceOwnerEnrollmentProfile(`kiosk-${i}`, {
                    displayName: `Store ${String(i).padStart(3, "0")} scanners`,
                    enrollmentMode: "corporateOwnedDedicatedDevice",
                    tokenValidityDays: 90,
                });
            }
        };
        const up = await s.stack.up({ ...log(s), parallel: 64 });
        expect(up.summary.result).to.equal("succeeded");
        expect(up.summary.resourceChanges?.create).to.equal(201);
        expect(allProfiles(ctx.emulator)).to.have.length(200);
        const requests = ctx.emulator.requests();
        const throttled = requests.filter((r) => r.status === 429).length;
        const failed = requests.filter((r) => r.status >= 500 || r.status === 0).length;
        expect(failed).to.equal(0);
        // The shared budget paces the run; a few 429s at window edges are absorbed by retries.
        expect(throttled).to.be.below(20);
        await s.stack.destroy(log(s));
        expect(allProfiles(ctx.emulator)).to.have.length(0);
    });
});
