import { expect } from "chai";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join, sep } from "node:path";
import { useEmulator, tempDir } from "./support/emulator";
import {
    ConsumerRuntime,
    consumerEnvironment,
    deployQuickstart,
    ensureNode,
    GraphTarget,
    installConsumer,
    machineNode,
    npmPack,
    Packed,
    QuickstartRun,
    REPO_ROOT,
    run,
    SdkCopies,
    sdkCopies,
    testMatrix,
} from "./support/packageConsumer";

/**
 * The package as users install it: `npm pack` of the built repo, installed with @pulumi/pulumi into a fresh consumer
 * project (test/fixtures/consumer), whose own dynamic-provider host then runs the resources over gRPC and whose
 * `pulumi up` deploys the quickstart. Once per supported end: Node 24 with the newest SDK, and the machine's Node with
 * the oldest, so the package's compiled code and serialized providers meet an SDK other than the one it was built
 * against.
 */

interface ConsumerReport {
    /** What ran the lifecycle script: process.version and the @pulumi/pulumi it required. */
    runtime: { node: string; pulumi: string };
    resolved: { main: string; hostModule: string; hostModuleOf010: string; pulumi: string; hostProgram: string; packageVersion: string };
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

const MATRIX = testMatrix();

/** The two ends the package supports, each as a user would have it: the runtime a consumer project installs with. */
const PAIRS: { label: string; runtime: () => Promise<ConsumerRuntime> }[] = [
    {
        label: `Node ${MATRIX.node} with the newest @pulumi/pulumi (${MATRIX.newestPulumi})`,
        runtime: async () => ({ ...(await ensureNode(MATRIX.node)), pulumiVersion: MATRIX.newestPulumi }),
    },
    {
        label: `the machine's Node (${process.version}) with the oldest supported @pulumi/pulumi (${MATRIX.oldestPulumi})`,
        runtime: async () => ({ ...machineNode(), pulumiVersion: MATRIX.oldestPulumi }),
    },
];

type ConsumerOutcome = { report: ConsumerReport; writes: string[]; remaining: unknown[] };

describe("the npm pack tarball installed in a consumer project", function () {
    this.timeout(600_000);
    const ctx = useEmulator();
    let work: string;
    let packed: Packed;

    before(async function () {
        this.timeout(300_000);
        work = tempDir("intune-consumer");
        packed = await npmPack(REPO_ROOT, work);
    });
    after(() => {
        if (work) rmSync(work, { recursive: true, force: true });
    });

    it("ships the compiled provider and emulator with their declarations, the README with the docs pages and changelog it links, and no tests, sources or CI files", () => {
        const paths = packed.files.map((f) => f.path);
        // The README links the docs pages and the changelog: shipped beside it, its links work in node_modules too.
        const docs = readdirSync(join(REPO_ROOT, "docs"))
            .filter((f) => f.endsWith(".md"))
            .map((f) => `docs/${f}`);
        expect(paths).to.include.members([
            "package.json",
            "README.md",
            "CHANGELOG.md",
            ...docs,
            "LICENSE",
            "dist/provider/index.js",
            "dist/provider/index.d.ts",
            "dist/provider/dynamic/host.js",
            "dist/provider/dynamic/providerText.js",
            "dist/provider/plugin/main.js",
            "dist/provider/plugin/schema.json",
            "dist/emulator/index.js",
            "dist/emulator/index.d.ts",
        ]);
        const unwanted = paths.filter(
            (p) =>
                /^(dist\/test\/|dist\/scripts\/|node_modules\/|\.ci\/|test\/|scripts\/|provider\/|emulator\/|quickstart\/)/.test(p) ||
                /^(\.mocharc\.json|tsconfig\.json|Pulumi\.yaml)$/.test(p),
        );
        const summary = [
            ...new Set(
                unwanted.map((p) =>
                    p
                        .split("/")
                        .slice(0, p.startsWith("dist/") ? 2 : 1)
                        .join("/"),
                ),
            ),
        ];
        expect(summary, `the tarball ships ${unwanted.length} files it should not (package.json needs a "files" field)`).to.deep.equal([]);
    });

    it("declares @pulumi/pulumi as a peer dependency from the oldest supported release on, so the program's own copy is the one used", () => {
        const pkg = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as {
            dependencies?: Record<string, string>;
            peerDependencies?: Record<string, string>;
        };
        expect(pkg.dependencies ?? {}, "a regular dependency would let npm nest a second copy").not.to.have.property("@pulumi/pulumi");
        expect(MATRIX.peerRange).to.equal(`^${MATRIX.oldestPulumi}`);
        expect(MATRIX.newestPulumi.split(".")[0], "the newest tested SDK is inside the range").to.equal(MATRIX.oldestPulumi.split(".")[0]);
    });

    for (const pair of PAIRS) {
        describe(`on ${pair.label}`, function () {
            let runtime: ConsumerRuntime;
            let consumer: string;
            /** What each step produced, or why it could not run: each test judges its part. */
            let installed: true | Error;
            let copies: SdkCopies | Error;
            let lifecycle: ConsumerOutcome | Error;
            let deployment: QuickstartRun | Error;

            before(async function () {
                this.timeout(600_000);
                runtime = await pair.runtime();
                consumer = mkdtempSync(join(work, "project-"));
                installed = await installConsumer(consumer, packed.tarball, runtime).then(
                    () => true as const,
                    (err: Error) => err,
                );
                copies = installed === true ? await sdkCopies(consumer, runtime).catch((err: Error) => err) : installed;
                lifecycle = installed === true ? await runConsumerLifecycle(consumer, runtime).catch((err: Error) => err) : installed;
                ctx.emulator.reset();
                deployment =
                    installed === true
                        ? await deployQuickstart(consumer, runtime, target(), join(consumer, ".pulumi-state"), countProfiles).catch((err: Error) => err)
                        : installed;
            });

            const done = <T>(outcome: T | Error): T => {
                if (outcome instanceof Error) throw outcome;
                return outcome;
            };

            it("installs one copy of @pulumi/pulumi, the program's own, which the package resolves too (npm ls)", () => {
                const { folders, resolvedBy } = done(copies);
                expect(folders, "npm ls --all --parseable @pulumi/pulumi").to.deep.equal([join(consumer, "node_modules", "@pulumi", "pulumi")]);
                expect(resolvedBy).to.deep.equal({ "(the project)": runtime.pulumiVersion, "pulumi-intune-enrollment": runtime.pulumiVersion });
            });

            it("installs as a real package whose main, host module and @pulumi/pulumi all resolve inside the consumer project", () => {
                const { report } = done(lifecycle);
                const inConsumer = (p: string): boolean => p.startsWith(consumer + sep) && p.includes(`${sep}node_modules${sep}`);
                expect(report.resolved.main, "main").to.satisfy(inConsumer);
                expect(report.resolved.main.endsWith(join("pulumi-intune-enrollment", "dist", "provider", "index.js"))).to.equal(true);
                expect(report.resolved.hostModule, "the module the provider text requires").to.satisfy(inConsumer);
                expect(report.resolved.hostModuleOf010, "the same module under 0.1.0's path").to.equal(report.resolved.hostModule);
                expect(report.resolved.pulumi).to.satisfy(inConsumer);
                expect(report.resolved.hostProgram, "the dynamic-provider host").to.satisfy(inConsumer);
                expect(report.ancestorNodeModules, "node_modules folders above the consumer project").to.deep.equal([]);
                expect(report.nodePath).to.equal("");
                expect(report.exports).to.include.members(["AndroidDeviceOwnerEnrollmentProfile", "AndroidForWorkEnrollmentProfile", "providers"]);
                expect(report.runtime).to.deep.equal({ node: `v${runtime.nodeVersion}`, pulumi: runtime.pulumiVersion });
            });

            it("runs Configure, Check, Create, Read, Diff and Delete of both types through the consumer's own dynamic-provider host", () => {
                const { report, writes, remaining } = done(lifecycle);
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
                const { stdout } = await run(join(runtime.nodeBinDir, "npx"), ["--no", "pulumi-intune-enrollment", "orphans", "--help"], {
                    cwd: consumer,
                    env: consumerEnvironment(runtime),
                    timeoutMs: 60_000,
                });
                expect(stdout).to.include("Usage: pulumi-intune-enrollment orphans").and.to.include("--delete");
            });

            it("type-checks a consumer program against the tarball's declarations with the consumer's own TypeScript", async () => {
                if (installed instanceof Error) throw installed;
                await run(
                    join(runtime.nodeBinDir, "node"),
                    [join(consumer, "node_modules", "typescript", "bin", "tsc"), "-p", join(consumer, "tsconfig.json")],
                    {
                        cwd: consumer,
                        env: consumerEnvironment(runtime),
                        timeoutMs: 180_000,
                    },
                );
                expect(existsSync(join(consumer, "node_modules", "pulumi-intune-enrollment", "dist", "provider", "index.d.ts"))).to.equal(true);
            });

            it("deploys the quickstart with pulumi up, previews no change, and destroys it, on this Node with this SDK", () => {
                const deployed = done(deployment);
                expect(deployed.about, "pulumi about: the language host's node and the program's dependencies").to.deep.equal({
                    nodeVersion: runtime.nodeVersion,
                    pulumiVersion: runtime.pulumiVersion,
                    packageVersion: "0.1.0",
                });
                expect(Object.keys(deployed.profileIds).sort()).to.deep.equal([
                    "aospUser",
                    "aospUserless",
                    "dedicated",
                    "fullyManaged",
                    "legacy",
                    "workProfile",
                ]);
                for (const id of Object.values(deployed.profileIds)) expect(id).to.match(/^[0-9a-f-]{36}$/);
                expect(deployed.profilesAfterUp, "profiles in the emulator after pulumi up").to.equal(6);
                expect(deployed.previewSummary).to.equal("7 unchanged");
                expect(deployed.profilesAfterPreview).to.equal(6);
                expect(deployed.profilesAfterDestroy, "profiles left after pulumi destroy").to.equal(0);
            });
        });
    }

    function target(): GraphTarget {
        const e = ctx.emulator;
        return {
            tenantId: e.tenantId,
            clientId: e.defaultApp.clientId,
            clientSecret: e.defaultApp.secret,
            graphUrl: e.graphUrl,
            authorityHost: e.authorityHost,
            caPath: e.caPath,
        };
    }

    function countProfiles(): number {
        return ctx.emulator.profiles("androidDeviceOwnerEnrollmentProfiles").length + ctx.emulator.profiles("androidForWorkEnrollmentProfiles").length;
    }

    /**
     * `npm test` in the consumer: the fixture's host-lifecycle.js against this suite's emulator, once. What the emulator
     * saw is taken here, before the per-test reset.
     */
    async function runConsumerLifecycle(consumer: string, runtime: ConsumerRuntime): Promise<ConsumerOutcome> {
        const reportPath = join(consumer, "report.json");
        const emulator = ctx.emulator;
        emulator.reset();
        await run("npm", ["test", "--silent"], {
            cwd: consumer,
            timeoutMs: 180_000,
            env: {
                ...consumerEnvironment(runtime),
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
            writes: emulator
                .requests()
                .filter((r) => r.method !== "GET")
                .map((r) => `${r.method} ${r.path.replace(/[0-9a-f-]{36}/, "{id}")}`),
            remaining: [...emulator.profiles("androidDeviceOwnerEnrollmentProfiles"), ...emulator.profiles("androidForWorkEnrollmentProfiles")],
        };
    }
});
