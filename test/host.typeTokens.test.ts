import { expect } from "chai";
import { execFile } from "node:child_process";
import { join } from "node:path";
import { promisify } from "node:util";
import { DEVICE_OWNER_TYPE, FOR_WORK_TYPE, urnFor } from "./support/hostClient";
import type { MockProgramReport } from "./support/hostMockProgram";

/** What the Pulumi SDK registers for the two resource classes: their type tokens and the provider text. */
describe("the two profile resources as the Pulumi SDK registers them (setMocks)", function () {
    this.timeout(60_000);
    let report: MockProgramReport;

    before(async () => {
        // Mocks are process-wide, so the program runs in a process of its own.
        const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, "support", "hostMockProgram.js")], { cwd: join(__dirname, "..", "..") });
        report = JSON.parse(stdout) as MockProgramReport;
    });

    it("registers pulumi-nodejs:dynamic/intune:AndroidDeviceOwnerEnrollmentProfile and ...:AndroidForWorkEnrollmentProfile", () => {
        // Registration order follows the asynchronous serialization of each provider: compare by name.
        expect(Object.fromEntries(report.registered.map((r) => [r.name, r.type]))).to.deep.equal({ kiosk: DEVICE_OWNER_TYPE, legacy: FOR_WORK_TYPE });
        expect(DEVICE_OWNER_TYPE).to.equal("pulumi-nodejs:dynamic/intune:AndroidDeviceOwnerEnrollmentProfile");
        expect(FOR_WORK_TYPE).to.equal("pulumi-nodejs:dynamic/intune:AndroidForWorkEnrollmentProfile");
    });

    it("gives the resources URNs built from those type tokens", () => {
        expect(report.urns).to.deep.equal([urnFor(DEVICE_OWNER_TYPE, "kiosk"), urnFor(FOR_WORK_TYPE, "legacy")]);
    });

    it("puts into __provider exactly the text the gRPC tests send (serializeFunction(() => provider, { allowSecrets: true }))", () => {
        const provider = Object.fromEntries(report.registered.map((r) => [r.name, r.provider]));
        expect(provider.kiosk).to.equal(report.serialized.deviceOwner);
        expect(provider.legacy).to.equal(report.serialized.forWork);
        expect(report.serialized.deviceOwner).not.to.equal(report.serialized.forWork);
    });
});
