import { expect } from "chai";
import { kindNamed } from "../provider/profiles/kinds";
import { fuzz, FUZZED_INPUTS } from "../soak/fuzz";
import { Produced } from "../soak/secrets";

/** `npm run soak` part 4 in small: generated bad inputs into check, corrupted Graph answers into the lifecycle. */
describe("soak, small: fuzzed inputs and Graph answers", function () {
    this.timeout(120_000);

    it("fuzzes every input of each profile type's property table", () => {
        expect(Object.keys(FUZZED_INPUTS.deviceOwner).sort()).to.deep.equal([...kindNamed("androidDeviceOwnerEnrollmentProfile").inputKeys].sort());
        expect(Object.keys(FUZZED_INPUTS.forWork).sort()).to.deep.equal([...kindNamed("androidForWorkEnrollmentProfile").inputKeys].sort());
    });

    it("never crashes; every bad input is a check failure naming its property; every bad answer an error naming the operation and profile, without a secret", async () => {
        const produced = new Produced();
        const r = await fuzz({ inputRuns: 150, responseRuns: 25, seed: 9, log: () => undefined }, produced);
        expect(r.inputs.cases).to.equal(300);
        expect(r.inputs.bad).to.be.greaterThan(200);
        expect(r.inputs.examples, "what went wrong").to.deep.equal([]);
        expect(r.inputs).to.include({ crashes: 0, badWithoutFailure: 0, failureNotNamingProperty: 0 });
        expect(r.responses.cases).to.equal(25);
        expect(r.responses.failed, "some corrupted answers made an operation fail").to.be.greaterThan(0);
        expect(r.responses.examples, "what went wrong").to.deep.equal([]);
        expect(r.responses).to.include({ crashes: 0, unclear: 0, withSecret: 0 });
        expect(r.unhandledRejections).to.equal(0);
        expect(produced.sweep().hits).to.deep.equal([]);
    });
});
