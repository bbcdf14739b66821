import { expect } from "chai";
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import * as ts from "typescript";
import { ensurePulumi, pulumiEnvironment } from "../scripts/localPulumi";
import type { TenantResult } from "../provider/tenants";
import { E2E_ROOT } from "./support/e2e";
import { TEST_TLS_DIR } from "./support/emulator";
import { Graph } from "./support/emulatorGraph";
import { CliEmulator, startCliEmulator } from "./support/emulatorProcess";
import { REPO_ROOT } from "./support/examples";

/**
 * examples/many-tenants through the real engine: its fleet program (the Automation API) applies one declaration to
 * five tenants, each a standalone emulator of its own (own process, tenant id, port and CA), as five stacks three at
 * a time. All converge but one made to fail with a wrong credential, which fails alone with a clear line; fixed, the
 * next run creates it and leaves the others unchanged; and a tenants file that points one stack at another
 * tenant's Graph is refused by the tenant binding, changing nothing anywhere.
 */

const EXAMPLE = join(REPO_ROOT, "examples", "many-tenants");
const TENANT_IDS = [
    "a1000000-0000-4000-8000-000000000001",
    "a2000000-0000-4000-8000-000000000002",
    "a3000000-0000-4000-8000-000000000003",
    "a4000000-0000-4000-8000-000000000004",
    "a5000000-0000-4000-8000-000000000005",
];
const PER_TENANT = 4; // two kiosk sites, fully managed, work profile

interface FleetRun {
    code: number;
    stdout: string;
    stderr: string;
}

describe("end to end: one declaration, five tenants in parallel (examples/many-tenants)", function () {
    this.timeout(600_000);
    const workDir = join(E2E_ROOT, "many-tenants");
    const emulators: CliEmulator[] = [];
    let env: NodeJS.ProcessEnv;

    before(async () => {
        const binDir = await ensurePulumi(() => undefined);
        rmSync(workDir, { recursive: true, force: true });
        mkdirSync(join(workDir, "bin"), { recursive: true });
        // The example as its user builds it (tsc into bin/), inside the repository so the package resolves.
        for (const file of ["declaration.ts", "fleet.ts"]) {
            const out = ts.transpileModule(readFileSync(join(EXAMPLE, file), "utf8"), {
                compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
                fileName: file,
            });
            writeFileSync(join(workDir, "bin", file.replace(/\.ts$/, ".js")), out.outputText);
        }
        copyFileSync(join(EXAMPLE, "Pulumi.yaml"), join(workDir, "Pulumi.yaml"));
        // The example's `npm run tenants`, less its compile step (done above), for the command its README gives.
        const script = (JSON.parse(readFileSync(join(EXAMPLE, "package.json"), "utf8")) as { scripts: { tenants: string } }).scripts.tenants;
        expect(script).to.match(/^tsc -p tsconfig\.json && node bin\/fleet\.js$/);
        writeFileSync(join(workDir, "package.json"), JSON.stringify({ name: "many-tenants-e2e", private: true, scripts: { tenants: "node bin/fleet.js" } }));
        env = pulumiEnvironment(binDir, join(workDir, "backend"));
        for (const [i, tenantId] of TENANT_IDS.entries()) {
            emulators.push(await startCliEmulator(["--tenant-id", tenantId, "--tls-dir", join(TEST_TLS_DIR, `tenant-${i + 1}`)]));
        }
    });

    after(async () => {
        await Promise.all(emulators.map((e) => e.kill("SIGTERM")));
        if (!process.env.KEEP_E2E) rmSync(workDir, { recursive: true, force: true });
    });

    /** Tenant n's stack config for emulator m (normally n = m). */
    const tenantConfig = (n: number, emulator = emulators[n], secret = emulator.info.clientSecret) => ({
        name: `t${n + 1}`,
        config: {
            "intune:tenantId": emulator.info.tenantId,
            "intune:clientId": emulator.info.clientId,
            "intune:clientSecret": { value: secret, secret: true },
            "intune:graphEndpoint": emulator.info.url,
            "intune:authorityHost": emulator.info.url,
            "intune:caCertificatePath": emulator.info.caCertificate,
            "intune-many-tenants:namePrefix": `T${n + 1}`,
            "intune-many-tenants:kioskSites": "2",
        },
    });

    /** `via: "npm"` runs it as the README says a pipeline does: `npm run --silent tenants -- ...`. */
    function fleet(tenants: object[], args: string[], via: "node" | "npm" = "node"): Promise<FleetRun> {
        writeFileSync(join(workDir, "tenants.json"), JSON.stringify({ concurrency: 3, tenants }, null, 2));
        const fleetArgs = ["--tenants", join(workDir, "tenants.json"), ...args];
        return new Promise((resolve) => {
            execFile(
                via === "node" ? process.execPath : "npm",
                via === "node" ? [join(workDir, "bin", "fleet.js"), ...fleetArgs] : ["run", "--silent", "tenants", "--", ...fleetArgs],
                { cwd: workDir, env, maxBuffer: 64 * 1024 * 1024 },
                (err, stdout, stderr) => {
                    resolve({ code: err ? (typeof err.code === "number" ? err.code : 1) : 0, stdout, stderr });
                },
            );
        });
    }
    const resultsOf = (run: FleetRun): Map<string, TenantResult> => {
        const parsed = JSON.parse(run.stdout) as { results: TenantResult[] };
        return new Map(parsed.results.map((r) => [r.tenant, r]));
    };
    const profilesIn = async (n: number): Promise<string[]> => {
        const e = emulators[n];
        const g = new Graph(e.target, e.info.accessToken);
        const pages = (await g.pages(g.collection("androidDeviceOwnerEnrollmentProfiles"))) as { value: { displayName: string }[] }[];
        return pages
            .flatMap((p) => p.value)
            .map((p) => p.displayName)
            .sort();
    };

    it("converges four tenants while the one with a wrong credential fails alone, then converges it too; the binding keeps each stack on its tenant", async () => {
        const wrongSecret = [0, 1, 2, 3, 4].map((n) => tenantConfig(n, emulators[n], n === 3 ? "not-the-secret" : undefined));
        const first = await fleet(wrongSecret, ["--json"]);
        expect(first.code, first.stderr).to.equal(1);
        const r1 = resultsOf(first);
        for (const t of ["t1", "t2", "t3", "t5"]) {
            expect(r1.get(t), `${t}: ${r1.get(t)?.error}`).to.include({ status: "succeeded", created: PER_TENANT, updated: 0, deleted: 0 });
        }
        const failed = r1.get("t4")!;
        expect(failed.status).to.equal("failed");
        expect(failed.error, "one clear line").to.not.include("\n");
        expect(failed.error).to.match(/could not sign in to Entra ID \(clientSecret\)/);
        expect(failed.error).to.not.include("not-the-secret");
        for (const n of [0, 1, 2, 4]) {
            expect(await profilesIn(n), `tenant ${n + 1}`).to.deep.equal([
                `T${n + 1} fully managed`,
                `T${n + 1} kiosk 1`,
                `T${n + 1} kiosk 2`,
                `T${n + 1} work profile`,
            ]);
        }
        expect(await profilesIn(3), "nothing reached the failed tenant").to.deep.equal([]);

        // Fixed: the table shows t4 created and the others unchanged.
        const second = await fleet(
            [0, 1, 2, 3, 4].map((n) => tenantConfig(n)),
            [],
        );
        expect(second.code, second.stderr).to.equal(0);
        const rows = second.stdout.split("\n");
        expect(rows[0]).to.match(/^tenant\s+stack\s+status\s+created\s+updated\s+unchanged\s+deleted\s+seconds$/);
        for (const n of [1, 2, 3, 5])
            expect(
                rows.find((l) => l.startsWith(`t${n} `)),
                `t${n}`,
            ).to.match(new RegExp(`^t${n}\\s+tenant-t${n}\\s+succeeded\\s+0\\s+0\\s+${PER_TENANT}\\s+0\\s`));
        expect(rows.find((l) => l.startsWith("t4 "))).to.match(new RegExp(`^t4\\s+tenant-t4\\s+succeeded\\s+${PER_TENANT}\\s+0\\s+0\\s+0\\s`));
        expect(second.stdout).to.include("5 of 5 tenants succeeded");
        expect(await profilesIn(3)).to.have.length(PER_TENANT);

        // A tenants file that sends t2's stack to t3's Graph (a copy-paste slip) while t2's names change: the update
        // of t2's profiles, bound to t2, is refused.
        const slipped = [0, 1, 2, 3, 4].map((n) =>
            n === 1 ? { ...tenantConfig(2), name: "t2", config: { ...tenantConfig(2).config, "intune-many-tenants:namePrefix": "T2b" } } : tenantConfig(n),
        );
        // Through npm, as a pipeline runs it: stdout must be the JSON document alone (resultsOf parses all of it).
        const third = await fleet(slipped, ["--json"], "npm");
        expect(third.code, third.stdout + third.stderr).to.equal(1);
        const r3 = resultsOf(third);
        expect(r3.get("t2")!.status).to.equal("failed");
        expect(r3.get("t2")!.error).to.match(
            /^Updating Android enrollment profile "T2b [^"]+" \([0-9a-f-]{36}\) refused: the profile lives in tenant a2000000-0000-4000-8000-000000000002 at \S+, but this run is configured for tenant a3000000-0000-4000-8000-000000000003 at \S+ Nothing was changed/,
        );
        for (const t of ["t1", "t3", "t4", "t5"]) expect(r3.get(t), t).to.include({ status: "succeeded", created: 0, updated: 0, unchanged: PER_TENANT });
        expect(await profilesIn(1), "t2 keeps its profiles as they were").to.deep.equal(["T2 fully managed", "T2 kiosk 1", "T2 kiosk 2", "T2 work profile"]);
        expect(
            (await profilesIn(2)).every((n) => n.startsWith("T3 ")),
            "nothing of t2 reached t3",
        ).to.equal(true);
    });
});
