import { expect } from "chai";
import { join } from "node:path";
import { REPO_ROOT, run } from "../scripts/localPulumi";

/**
 * The README's demo command, as a new user runs it: the quickstart program deployed the non-inline way, by the
 * Pulumi CLI and its Node.js language host compiling quickstart/index.ts, against a local emulator; then a preview
 * with no change and a destroy. Nothing else in the suite runs a program through the language host from this
 * repository.
 */
describe("end to end: npm run demo", function () {
    this.timeout(300_000);

    it("deploys the quickstart with pulumi up, previews no change, renders the QR codes and destroys everything", async () => {
        const { stdout } = await run(process.execPath, [join(REPO_ROOT, "dist", "scripts", "demo.js")], { cwd: REPO_ROOT, timeout: 280_000 });
        expect(stdout).to.match(/\+ 7 created|7 created/);
        expect(stdout).to.contain("7 unchanged");
        expect(stdout).to.contain("profiles left in the emulator: 0");
        expect(stdout).to.contain("Done.");
        // The codes are files, owner-only; no scannable code on the terminal (nor in a CI log) unless asked for.
        expect(stdout).to.contain("--show-qr");
        expect(stdout).to.not.match(/[\u2580\u2584\u2588]/);
    });
});
