import { expect } from "chai";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join, sep } from "node:path";
import { useEmulator, tempDir } from "./support/emulator";
import { installConsumer, npmEnvironment, npmPack, Packed, REPO_ROOT, run } from "./support/packageConsumer";

/**
 * The package as users install it: `npm pack` of the built repo, installed with @pulumi/pulumi into a fresh consumer
 * project (test/fixtures/consumer), whose own dynamic-provider host then runs the resources over gRPC.
 */

interface ConsumerReport {
    resolved: { main: string; hostModule: string; pulumi: string; hostProgram: string; packageVersion: string };
    exports: string[];
    ancestorNodeModules: string[];
    nodePath: string;
    providerTextBytes: { deviceOwner: number; forWork: number };
    configure: { acceptSecrets: boolean };
    badCheckFailures: { property: string; reason: string }[];
    check: { failures: unknown[]; providerKept: boolean };
    create: { id: string; properties: Record<string, unknown>; providerKept: boolean };
    createLegacy: { id: string; properties: Record<string, unknown>; providerKept: boolean };
    read: { id: string; sameProperties: boolean; inputs: Record<string, unknown> };
    diff: { changes: string; replaces: string[]; deleteBeforeReplace: boolean };
    deleted: string[];
    error?: string;
    hostStderr: string;
}

const PULUMI_VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> }).dependencies["@pulumi/pulumi"];

describe("the npm pack tarball installed in a consumer project", function () {
    this.timeout(300_000);
    const ctx = useEmulator();
    let work: string;
    let packed: Packed;
    let consumer: string;

    /** What the consumer's run produced, or why it could not run: each test judges its part. */
    let outcome: { report: ConsumerReport; writes: string[]; remaining: unknown[] } | Error;
    let installed: true | Error;

    before(async function () {
        this.timeout(300_000);
        work = tempDir("intune-consumer");
        packed = await npmPack(REPO_ROOT, work);
        consumer = join(work, "project");
        mkdirSync(consumer);
        installed = await installConsumer(consumer, packed.tarball, PULUMI_VERSION).then(() => true as const, (err: Error) => err);
        outcome = installed === true ? await runConsumerLifecycle().catch((err: Error) => err) : installed;
    });
    after(() => {
        if (work) rmSync(work, { recursive: true, force: true });
    });

    function consumerRun(): { report: ConsumerReport; writes: string[]; remaining: unknown[] } {
        if (outcome instanceof Error) throw outcome;
        return outcome;
    }

    it("ships the compiled provider and emulator with their declarations and the README, and no tests, sources or CI files", () => {
        const paths = packed.files.map((f) => f.path);
        expect(paths).to.include.members([
            "package.json", "README.md", "LICENSE",
            "dist/provider/index.js", "dist/provider/index.d.ts", "dist/provider/profiles/host.js", "dist/provider/profiles/provider.js",
            "dist/emulator/index.js", "dist/emulator/index.d.ts",
        ]);
        const unwanted = paths.filter((p) => /^(dist\/test\/|dist\/scripts\/|node_modules\/|\.ci\/|test\/|scripts\/|provider\/|emulator\/|quickstart\/)/.test(p) || /^(\.mocharc\.json|tsconfig\.json|Pulumi\.yaml)$/.test(p));
        const summary = [...new Set(unwanted.map((p) => p.split("/").slice(0, p.startsWith("dist/") ? 2 : 1).join("/")))];
        expect(summary, `the tarball ships ${unwanted.length} files it should not (package.json needs a "files" field)`).to.deep.equal([]);
    });

    it("installs as a real package whose main, host module and @pulumi/pulumi all resolve inside the consumer project", () => {
        const { report } = consumerRun();
        const inConsumer = (p: string): boolean => p.startsWith(consumer + sep) && p.includes(`${sep}node_modules${sep}`);
        expect(report.resolved.main, "main").to.satisfy(inConsumer);
        expect(report.resolved.main.endsWith(join("pulumi-intune-enrollment", "dist", "provider", "index.js"))).to.equal(true);
        expect(report.resolved.hostModule, "the module the provider text requires").to.satisfy(inConsumer);
        expect(report.resolved.pulumi).to.satisfy(inConsumer);
        expect(report.resolved.hostProgram, "the dynamic-provider host").to.satisfy(inConsumer);
        expect(report.ancestorNodeModules, "node_modules folders above the consumer project").to.deep.equal([]);
        expect(report.nodePath).to.equal("");
        expect(report.exports).to.include.members(["AndroidDeviceOwnerEnrollmentProfile", "AndroidForWorkEnrollmentProfile", "providers"]);
    });

    it("runs Configure, Check, Create, Read, Diff and Delete of both types through the consumer's own dynamic-provider host", () => {
        const { report, writes, remaining } = consumerRun();
        expect(report.error, `the lifecycle failed; host stderr:\n${report.hostStderr}`).to.equal(undefined);
        expect(report.configure.acceptSecrets).to.equal(false);

        expect(report.badCheckFailures.map((f) => f.property)).to.include.members(["enrollmentMode", "deviceNameTemplate"]);
        expect(report.check).to.deep.equal({ failures: [], providerKept: true });

        expect(report.create.id).to.match(/^[0-9a-f-]{36}$/);
        expect(report.create.providerKept).to.equal(true);
        expect(report.create.properties).to.include({ profileId: report.create.id, displayName: "Warehouse scanners", tokenValidityDays: 90 });
        expect(report.create.properties.tokenValue).to.be.a("string").and.not.equal("");
        expect(report.createLegacy.providerKept).to.equal(true);
        expect(report.createLegacy.properties.tokenValue).to.be.a("string").and.not.equal("");

        expect(report.read).to.include({ id: report.create.id, sameProperties: true });
        expect(report.diff).to.deep.equal({ changes: "none", replaces: [], deleteBeforeReplace: false });
        expect(report.deleted).to.deep.equal([report.create.id, report.createLegacy.id]);

        // What the emulator saw: both profiles made through Graph by the consumer's host, then deleted.
        expect(writes).to.include.members([
            "POST /beta/deviceManagement/androidDeviceOwnerEnrollmentProfiles",
            "POST /beta/deviceManagement/androidForWorkEnrollmentProfiles",
            "POST /beta/deviceManagement/androidForWorkEnrollmentProfiles/{id}/createToken",
            "DELETE /beta/deviceManagement/androidDeviceOwnerEnrollmentProfiles/{id}",
            "DELETE /beta/deviceManagement/androidForWorkEnrollmentProfiles/{id}",
        ]);
        expect(remaining).to.deep.equal([]);
    });

    it("installs the orphans command as the package's bin: npx pulumi-intune-enrollment orphans", async () => {
        if (installed instanceof Error) throw installed;
        // --no: never fetch it from the registry; the installed package must provide it.
        const { stdout } = await run("npx", ["--no", "pulumi-intune-enrollment", "orphans", "--help"], { cwd: consumer, timeoutMs: 60_000 });
        expect(stdout).to.include("Usage: pulumi-intune-enrollment orphans").and.to.include("--delete");
    });

    it("type-checks a consumer program against the tarball's declarations", async () => {
        if (installed instanceof Error) throw installed;
        const tsc = join(REPO_ROOT, "node_modules", "typescript", "bin", "tsc");
        // @types/node comes from the repo (a consumer has its own); everything else resolves in the consumer.
        await run(process.execPath, [tsc, "-p", join(consumer, "tsconfig.json"), "--typeRoots", join(REPO_ROOT, "node_modules", "@types")], { cwd: consumer, timeoutMs: 120_000 });
        expect(existsSync(join(consumer, "node_modules", "pulumi-intune-enrollment", "dist", "provider", "index.d.ts"))).to.equal(true);
    });

    /**
     * `npm test` in the consumer: the fixture's host-lifecycle.js against this suite's emulator, once. What the emulator
     * saw is taken here, before the per-test reset.
     */
    async function runConsumerLifecycle(): Promise<{ report: ConsumerReport; writes: string[]; remaining: unknown[] }> {
        const reportPath = join(work, "report.json");
        const emulator = ctx.emulator;
        await run("npm", ["test", "--silent"], {
            cwd: consumer,
            timeoutMs: 180_000,
            env: {
                ...npmEnvironment(),
                INTUNE_HOST_CLIENT: join(__dirname, "support", "hostClient.js"),
                INTUNE_CONSUMER_REPORT: reportPath,
                INTUNE_TEST_GRAPH_URL: emulator.graphUrl,
                INTUNE_TEST_AUTHORITY_HOST: emulator.authorityHost,
                INTUNE_TEST_TENANT_ID: emulator.tenantId,
                INTUNE_TEST_CLIENT_ID: emulator.defaultApp.clientId,
                INTUNE_TEST_CLIENT_SECRET: emulator.defaultApp.secret,
                INTUNE_TEST_CA_PATH: emulator.caPath,
            },
        }).catch((err: Error) => {
            // The script writes its report before failing: show it with the error.
            const report = existsSync(reportPath) ? readFileSync(reportPath, "utf8") : "(no report)";
            throw new Error(`${err.message}\n--- report\n${report}`);
        });
        return {
            report: JSON.parse(readFileSync(reportPath, "utf8")) as ConsumerReport,
            writes: emulator.requests().filter((r) => r.method !== "GET").map((r) => `${r.method} ${r.path.replace(/[0-9a-f-]{36}/, "{id}")}`),
            remaining: [...emulator.profiles("androidDeviceOwnerEnrollmentProfiles"), ...emulator.profiles("androidForWorkEnrollmentProfiles")],
        };
    }
});
