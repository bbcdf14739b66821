import { expect } from "chai";
import { Produced } from "../soak/secrets";
import { faultStorm, STORM_DEFAULTS } from "../soak/storm";

/** `npm run soak` part 1 in small: the storm's faults, every phase, a fleet of 10. */
describe("soak, small: a fault storm leaves the tenant as declared after every phase", function () {
    this.timeout(240_000);

    it("creates, updates a third, renews a tenth and deletes 10 profiles through 30 % 429s without Retry-After, 10 % 5xx, lost answers, lagging reads and a skewed clock: nothing failed, duplicated or left over", async () => {
        const produced = new Produced();
        const r = await faultStorm({ ...STORM_DEFAULTS, profiles: 10, log: () => undefined }, produced);
        expect(r.phases.map((p) => p.name)).to.deep.equal(["create 10", "update 4", "renew 1", "delete 10"]);
        expect(
            r.phases.flatMap((p) => p.errors),
            "errors",
        ).to.deep.equal([]);
        expect(r.failedOperations).to.equal(0);
        expect(r.phases.map((p) => p.tenant)).to.deep.equal(r.phases.map(() => ({ mismatched: [], mismatchCount: 0, duplicates: 0, unowned: 0, equal: true })));
        expect(r.renewedTokens, "a new token for each renewed profile").to.equal(1);
        // The storm happened: throttled, failed and dropped answers all came.
        const answered = (status: string): number => r.answers[status] ?? 0;
        expect(answered("429"), "429 answers").to.be.greaterThan(0);
        expect(
            ["500", "502", "503", "504"].map(answered).reduce((a, b) => a + b),
            "5xx answers",
        ).to.be.greaterThan(0);
        expect(produced.sweep().hits).to.deep.equal([]);
    });
});
