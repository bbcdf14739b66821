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
        const { stdout } = await promisify(execFile)(process.execPath, [join(__dirname, "support", "hostMockProgram.js")], {
            cwd: join(__dirname, "..", ".."),
        });
        report = JSON.parse(stdout) as MockProgramReport;
    });

    // The type tokens are what every stack's state is keyed on: a change would replace every profile. Written out
    // here, not taken from the code under test, so that such a change fails.
    it("registers pulumi-nodejs:dynamic/intune:AndroidDeviceOwnerEnrollmentProfile and ...:AndroidForWorkEnrollmentProfile", () => {
        // Registration order follows the asynchronous serialization of each provider: compare by name.
        expect(Object.fromEntries(report.registered.map((r) => [r.name, r.type]))).to.deep.equal({
            kiosk: "pulumi-nodejs:dynamic/intune:AndroidDeviceOwnerEnrollmentProfile",
            legacy: "pulumi-nodejs:dynamic/intune:AndroidForWorkEnrollmentProfile",
        });
    });

    it("gives the resources URNs built from those type tokens, and passes each its own URN", () => {
        expect(report.urns).to.deep.equal([
            "urn:pulumi:test::intune-test::pulumi-nodejs:dynamic/intune:AndroidDeviceOwnerEnrollmentProfile::kiosk",
            "urn:pulumi:test::intune-test::pulumi-nodejs:dynamic/intune:AndroidForWorkEnrollmentProfile::legacy",
        ]);
        expect(report.urns).to.deep.equal([urnFor(DEVICE_OWNER_TYPE, "kiosk"), urnFor(FOR_WORK_TYPE, "legacy")], "the gRPC tests' URNs are the engine's");
        // Its own URN travels as an input, so the provider can attach diagnostics to it.
        expect(report.registered.map((r) => r.urn).sort()).to.deep.equal([...report.urns].sort());
    });

    it("puts into __provider exactly the text the gRPC tests send: one line naming the type", () => {
        const provider = Object.fromEntries(report.registered.map((r) => [r.name, r.provider]));
        expect(provider.kiosk).to.equal(report.serialized.deviceOwner);
        expect(provider.legacy).to.equal(report.serialized.forWork);
        expect(report.serialized.deviceOwner).not.to.equal(report.serialized.forWork);
        expect(report.serialized.deviceOwner).to.equal(
            'exports.handler = () => require("pulumi-intune-enrollment/host").provider("androidDeviceOwnerEnrollmentProfile");\n',
        );
    });
});
