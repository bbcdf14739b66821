import { expect } from "chai";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Example, listExamples, readTsconfig, sourcesOf, typeCheck, TypeCheckResult } from "./support/examples";

/**
 * Every example compiles against the package as built here, with the repository's TypeScript and strict settings:
 * a renamed input, a removed export or a narrowed type breaks the suite, not a user's first `pulumi up`.
 */
describe("examples: every example type-checks against the built package", function () {
    this.timeout(240_000);
    const examples = listExamples("nodejs");
    const results = new Map<string, Promise<TypeCheckResult>>();

    before(() => {
        // All at once: each tsc run is independent and mostly waits on the file system.
        for (const e of examples) results.set(e.name, typeCheck(e.dir));
    });

    it("has the examples the documentation describes", () => {
        expect(examples.map((e) => e.name)).to.deep.equal([
            "adopt-existing",
            "aosp",
            "dedicated-kiosk",
            "downstream-enrollment-sheet",
            "fully-managed-and-work-profile",
            "kiosk-fleet",
            "legacy-android-for-work",
            "many-tenants",
        ]);
    });

    for (const e of listExamples("nodejs")) {
        it(`${e.name} compiles with no error (${sourcesOf(e.dir)
            .map((f) => f.slice(e.dir.length + 1))
            .join(", ")})`, async () => {
            const { code, output } = await results.get(e.name)!;
            expect(output, `tsc output for examples/${e.name}`).to.equal("");
            expect(code).to.equal(0);
        });
    }

    it("is not vacuous: the same check rejects a program with an enrollment mode the package does not have", async () => {
        const kiosk: Example = examples.find((e) => e.name === "dedicated-kiosk")!;
        const work = mkdtempSync(join(tmpdir(), "intune-example-broken-"));
        try {
            copyFileSync(join(kiosk.dir, "tsconfig.json"), join(work, "tsconfig.json"));
            const source = readFileSync(join(kiosk.dir, "index.ts"), "utf8");
            const broken = source.replace('enrollmentMode: "corporateOwnedDedicatedDevice"', 'enrollmentMode: "kioskMode"');
            expect(broken).to.not.equal(source);
            writeFileSync(join(work, "index.ts"), broken);
            // The copied program still resolves both packages from this repository, as the examples do.
            const { code, output } = await typeCheck(work, [join(work, "index.ts")]);
            expect(code).to.not.equal(0);
            expect(output).to.match(/index\.ts\(\d+,\d+\): error TS2322: .*"kioskMode"/);
            expect(output, "only the planted error").to.not.match(/TS2307/);
        } finally {
            rmSync(work, { recursive: true, force: true });
        }
    });

    it("each example's own tsconfig is strict and lists the program, so `tsc` in the folder checks what Pulumi runs", () => {
        for (const e of examples) {
            const ts = readTsconfig(e.dir);
            expect(ts.compilerOptions?.strict, e.name).to.equal(true);
            expect(ts.files, e.name).to.include("index.ts");
            expect(ts.compilerOptions?.module, e.name).to.equal("node16");
            expect(ts.compilerOptions?.types, e.name).to.deep.equal(["node"]);
        }
    });
});
