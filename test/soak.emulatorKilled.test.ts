import { expect } from "chai";
import { emulatorKilled } from "../soak/emulatorKilled";
import { Produced } from "../soak/secrets";

/** `npm run soak` part 3 in small: the standalone emulator killed mid-rollout and restarted on its port and state file. */
describe("soak, small: the emulator killed mid-rollout loses no acknowledged write", function () {
    this.timeout(180_000);

    it("keeps every create the provider was answered for, and the next run converges on the declared fleet", async () => {
        const produced = new Produced();
        // Ten writes per window spread 30 creates over three windows, so that the kill finds some answered and some not.
        try {
            const r = await emulatorKilled(
                { profiles: 30, killAtShare: 0.4, downMs: 1000, windowMs: 2000, writesPerWindow: 10, seed: 3, log: () => undefined },
                produced,
            );
            expect(r.acknowledgedAtKill, "creates answered before the kill").to.be.greaterThan(0);
            expect(r.acknowledgedAtKill, "creates still under way at the kill").to.be.below(30);
            expect(r.lostAcknowledged).to.equal(0);
            expect(r.inTenantAfterRestart).to.be.at.least(r.acknowledgedAtKill);
            expect(r, JSON.stringify(r)).to.include({ converged: true, duplicates: 0, unowned: 0 });
            expect(produced.sweep().hits).to.deep.equal([]);
        } finally {
            produced.runCleanups();
        }
    });
});
