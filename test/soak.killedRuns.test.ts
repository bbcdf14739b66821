import { expect } from "chai";
import { killedRuns } from "../soak/killedRuns";
import { Produced } from "../soak/secrets";

/** `npm run soak` part 2 in small: one kill of the CLI and one of the provider's host, each recovered as docs/reliability.md says. */
describe("soak, small: rollouts killed with SIGKILL recover to one profile per resource", function () {
    this.timeout(300_000);

    it("after a killed CLI and a killed dynamic-provider host: cancel, orphans, up leave one profile per declared resource and none untracked", async () => {
        const produced = new Produced();
        try {
            const r = await killedRuns({ cycles: 2, wave: 5, seed: 2, log: () => undefined }, produced);
            expect(r.cycles.map((c) => c.killed)).to.deep.equal(["pulumi CLI", "dynamic-provider host"]);
            for (const c of r.cycles) {
                expect(c.atProfiles, "killed mid-rollout").to.be.within(1, 5);
                expect(c, JSON.stringify(c)).to.include({ profiles: c.declared, inState: c.declared, untracked: 0, duplicateNames: 0, onePerResource: true });
            }
            expect(r.onePerResource).to.equal(true);
            expect(produced.sweep().hits, "secrets in the state, logs or outputs").to.deep.equal([]);
        } finally {
            produced.runCleanups();
        }
    });
});
