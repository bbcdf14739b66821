import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { AUTH_METHODS, resolveSettings, SETTING_KEYS, SettingsError } from "../provider/runtime/settings";
import { REPO_ROOT } from "./support/examples";
import { loadYaml, PIPELINES_DIR } from "./support/examplesPipelines";

/**
 * The CI templates users copy: valid YAML with the triggers, permissions and Pulumi steps docs/_index.md and pipelines/README.md promise, and
 * an environment that makes the provider pick the intended sign-in method (checked with the provider's own
 * settings resolution, so a renamed environment variable breaks here rather than in a user's pipeline).
 */

interface Step {
    name?: string;
    if?: string;
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
    task?: string;
    script?: string;
    displayName?: string;
    condition?: string;
    inputs?: Record<string, unknown>;
}
interface Job {
    if?: string;
    environment?: string;
    permissions?: Record<string, string>;
    steps: Step[];
}
interface Workflow {
    name: string;
    on: { pull_request?: { branches: string[] }; push?: { branches: string[] }; schedule?: { cron: string }[]; workflow_dispatch?: unknown };
    permissions: Record<string, string>;
    env: Record<string, string>;
    jobs: Record<string, Job>;
}
interface AdoPipeline {
    trigger: { branches: { include: string[] } };
    pr: { branches: { include: string[] } };
    schedules: { cron: string; branches: { include: string[] }; always: boolean }[];
    variables: ({ name: string; value: string } | { group: string })[];
    steps: Step[];
}

const PACKAGE = JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
// The SDK the project builds and tests against, which is also the oldest it supports.
const PULUMI_VERSION = PACKAGE.devDependencies["@pulumi/pulumi"];
const KNOWN_ENV = new Set(SETTING_KEYS.flatMap((s) => s.env));

function isCron(expr: string): boolean {
    const fields = expr.trim().split(/\s+/);
    return fields.length === 5 && fields.every((f) => /^[\d*,/-]+$/.test(f));
}

describe("pipelines: the GitHub Actions workflow", () => {
    const file = join(PIPELINES_DIR, "github-actions", "intune-enrollment.yml");
    const text = readFileSync(file, "utf8");
    const wf = loadYaml<Workflow>(file);
    const pulumiSteps = (job: string): Step[] => wf.jobs[job].steps.filter((s) => s.uses?.startsWith("pulumi/actions@"));

    it("is valid YAML with the three triggers: pull requests and pushes to main, and a schedule", () => {
        expect(wf.on.pull_request?.branches).to.deep.equal(["main"]);
        expect(wf.on.push?.branches).to.deep.equal(["main"]);
        expect(wf.on.schedule).to.have.length(1);
        expect(isCron(wf.on.schedule![0].cron), wf.on.schedule![0].cron).to.equal(true);
        expect(wf.on).to.have.property("workflow_dispatch");
    });

    it("may ask for an OIDC token (id-token: write) in every job that signs in, and reads no more than it needs", () => {
        expect(wf.permissions["id-token"]).to.equal("write");
        expect(wf.permissions.contents).to.equal("read");
        for (const [name, job] of Object.entries(wf.jobs)) {
            if (job.permissions) expect(job.permissions["id-token"], name).to.equal("write");
        }
    });

    it("runs pulumi preview on pull requests, pulumi up on main, and pulumi up --refresh on the schedule", () => {
        expect(wf.jobs.preview.if).to.include("github.event_name == 'pull_request'");
        expect(pulumiSteps("preview").map((s) => s.with?.command)).to.deep.equal(["preview"]);
        expect(pulumiSteps("preview")[0].with?.["comment-on-pr"]).to.equal(true);
        expect(wf.jobs.preview.permissions?.["pull-requests"]).to.equal("write");

        expect(wf.jobs.deploy.if).to.include("github.event_name == 'push'").and.include("refs/heads/main");
        expect(pulumiSteps("deploy").map((s) => s.with?.command)).to.deep.equal(["up"]);

        expect(wf.jobs["renew-tokens"].if).to.equal("github.event_name == 'schedule'");
        expect(pulumiSteps("renew-tokens").map((s) => [s.with?.command, s.with?.refresh])).to.deep.equal([["up", true]]);
    });

    it("installs dependencies before Pulumi runs, with the Node.js and Pulumi versions this package is built for", () => {
        for (const [name, job] of Object.entries(wf.jobs)) {
            const names = job.steps.map((s) => s.uses?.split("@")[0] ?? s.name);
            expect(names.indexOf("actions/setup-node"), name).to.be.lessThan(names.indexOf("npm ci"));
            expect(names.indexOf("npm ci"), name).to.be.lessThan(names.indexOf("pulumi/actions"));
            expect(job.steps.find((s) => s.uses?.startsWith("actions/setup-node"))?.with?.["node-version"], name).to.equal(20);
            for (const s of pulumiSteps(name)) expect(s.with?.["pulumi-version"]).to.equal("${{ env.PULUMI_VERSION }}");
        }
        expect(wf.env.PULUMI_VERSION).to.equal(PULUMI_VERSION);
    });

    it("stores no Azure secret: the client and tenant ids are variables, and the only secret is Pulumi's token", () => {
        expect(wf.env.AZURE_CLIENT_ID).to.equal("${{ vars.AZURE_CLIENT_ID }}");
        expect(wf.env.AZURE_TENANT_ID).to.equal("${{ vars.AZURE_TENANT_ID }}");
        const secrets = new Set([...text.matchAll(/\$\{\{\s*secrets\.([A-Z_]+)/g)].map((m) => m[1]));
        expect([...secrets]).to.deep.equal(["PULUMI_ACCESS_TOKEN"]);
        expect(text).to.not.match(/AZURE_CLIENT_SECRET|clientSecret/);
    });

    it("gives the provider what its githubOidc sign-in needs; without id-token: write it fails loudly instead of using the emulator", () => {
        expect(wf.env.INTUNE_AUTH_METHOD).to.equal("githubOidc");
        expect(AUTH_METHODS).to.include(wf.env.INTUNE_AUTH_METHOD);
        for (const name of Object.keys(wf.env).filter((k) => /^(AZURE|ARM|INTUNE)_/.test(k))) expect(KNOWN_ENV, name).to.include(name);
        // What a job sees: the workflow's env, plus the two variables GitHub sets when the job may ask for a token.
        const job = { AZURE_CLIENT_ID: "app-id", AZURE_TENANT_ID: "tenant-id", INTUNE_AUTH_METHOD: wf.env.INTUNE_AUTH_METHOD, INTUNE_CLOUD: "global" };
        const github = {
            ACTIONS_ID_TOKEN_REQUEST_URL: "https://pipelines.actions.githubusercontent.com/oidc?api-version=2.0",
            ACTIONS_ID_TOKEN_REQUEST_TOKEN: "runtime-token",
        };
        const settings = resolveSettings(() => undefined, { ...job, ...github });
        expect(settings.auth.method).to.equal("githubOidc");
        expect(settings.useEmbeddedEmulator).to.equal(false);
        expect(settings.clientId).to.equal("app-id");
        expect(settings.tenantId).to.equal("tenant-id");
        expect(() => resolveSettings(() => undefined, job)).to.throw(
            SettingsError,
            /GitHub Actions OIDC needs `intune:oidcRequestUrl` or ACTIONS_ID_TOKEN_REQUEST_URL/,
        );
    });

    it("keeps tokens out of the logs of the jobs that deploy", () => {
        for (const job of ["deploy", "renew-tokens"]) {
            for (const s of pulumiSteps(job)) expect(s.with?.["suppress-outputs"], job).to.equal(true);
        }
    });
});

describe("pipelines: the Azure DevOps pipeline", () => {
    const file = join(PIPELINES_DIR, "azure-devops", "azure-pipelines.yml");
    const text = readFileSync(file, "utf8");
    const pipeline = loadYaml<AdoPipeline>(file);
    const azureCliSteps = pipeline.steps.filter((s) => s.task === "AzureCLI@2");
    const stepFor = (reason: string): Step => {
        const matches = azureCliSteps.filter((s) => s.condition?.includes(`'${reason}'`));
        expect(matches, reason).to.have.length(1);
        return matches[0];
    };

    it("is valid YAML with CI and pull-request triggers on main and a weekly schedule that runs without commits", () => {
        expect(pipeline.trigger.branches.include).to.deep.equal(["main"]);
        expect(pipeline.pr.branches.include).to.deep.equal(["main"]);
        expect(pipeline.schedules).to.have.length(1);
        expect(isCron(pipeline.schedules[0].cron)).to.equal(true);
        expect(pipeline.schedules[0].branches.include).to.deep.equal(["main"]);
        expect(pipeline.schedules[0].always).to.equal(true);
    });

    it("runs pulumi preview for pull requests, pulumi up for CI on main and pulumi up --refresh on the schedule", () => {
        expect(stepFor("PullRequest").inputs?.inlineScript).to.match(/\npulumi preview --stack "\$PULUMI_STACK"/);
        const ci = stepFor("IndividualCI");
        expect(ci.condition).to.include("refs/heads/main");
        expect(ci.inputs?.inlineScript).to.match(/\npulumi up --stack "\$PULUMI_STACK" --non-interactive --yes --suppress-outputs/);
        expect(stepFor("Schedule").inputs?.inlineScript).to.match(/\npulumi up --refresh --stack "\$PULUMI_STACK" --non-interactive --yes --suppress-outputs/);
        const names = pipeline.steps.map((s) => s.task ?? s.script ?? s.displayName);
        expect(names.indexOf("UseNode@1")).to.be.lessThan(names.indexOf("npm ci"));
        expect(text).to.include('--version "$(pulumiVersion)"');
        expect(pipeline.variables).to.deep.include({ name: "pulumiVersion", value: PULUMI_VERSION });
    });

    it("signs in through the workload-identity service connection with the provider's azurePipelines method", () => {
        for (const step of azureCliSteps) {
            expect(step.inputs?.azureSubscription).to.equal("$(serviceConnection)");
            expect(step.inputs?.addSpnToEnvironment).to.equal(true);
            expect(step.env?.SYSTEM_ACCESSTOKEN, "mapped in: Azure Pipelines never exposes it on its own").to.equal("$(System.AccessToken)");
            expect(step.env?.INTUNE_AUTH_METHOD).to.equal("azurePipelines");
            // What the provider sees: the step's env, what its script exports, and what AzureCLI@2 sets.
            const exported = Object.fromEntries(
                [...String(step.inputs?.inlineScript).matchAll(/^export (\w+)="\$\{(\w+):-\$\w+\}"$/gm)].map((m) => [m[1], `from ${m[2]}`]),
            );
            expect(Object.keys(exported).sort()).to.deep.equal(["AZURE_CLIENT_ID", "AZURE_TENANT_ID"]);
            const byTask = {
                AZURESUBSCRIPTION_CLIENT_ID: "app-id",
                AZURESUBSCRIPTION_TENANT_ID: "tenant-id",
                AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: "connection-id",
                SYSTEM_OIDCREQUESTURI: "https://dev.azure.com/contoso/",
            };
            const env = { ...byTask, ...exported, ...step.env };
            for (const name of Object.keys(env).filter((k) => /^(AZURE_|ARM_|INTUNE_|SYSTEM_ACCESSTOKEN|AZURESUBSCRIPTION_SERVICE)/.test(k)))
                expect(KNOWN_ENV, name).to.include(name);
            const settings = resolveSettings(() => undefined, env);
            expect(settings.auth).to.deep.include({
                method: "azurePipelines",
                serviceConnectionId: "connection-id",
                systemAccessToken: "$(System.AccessToken)",
            });
            expect(settings.clientId).to.equal("from AZURESUBSCRIPTION_CLIENT_ID");
            expect(settings.useEmbeddedEmulator).to.equal(false);
        }
    });

    it("stores no Azure secret: the only secret it reads is Pulumi's token, from a variable group", () => {
        expect(pipeline.variables).to.deep.include({ group: "intune-enrollment" });
        expect(text).to.not.match(/AZURE_CLIENT_SECRET|clientSecret/);
        const macros = new Set([...text.matchAll(/\$\(([A-Za-z_.]+)\)/g)].map((m) => m[1]));
        expect([...macros].filter((m) => /TOKEN|SECRET|PASSWORD|PASSPHRASE/i.test(m)).sort()).to.deep.equal(["PULUMI_ACCESS_TOKEN", "System.AccessToken"]);
    });
});

interface MatrixWorkflow extends Workflow {
    jobs: Record<
        string,
        Job & {
            strategy: { "fail-fast": boolean; "max-parallel": number; matrix: { tenant: string[] } };
            env: Record<string, string>;
            concurrency: { group: string };
        }
    >;
}

describe("pipelines: the GitHub Actions matrix over tenants", () => {
    const file = join(PIPELINES_DIR, "github-actions", "intune-enrollment-tenants.yml");
    const text = readFileSync(file, "utf8");
    const wf = loadYaml<MatrixWorkflow>(file);
    const job = wf.jobs.tenant;
    const pulumiSteps = job.steps.filter((s) => s.uses?.startsWith("pulumi/actions@"));

    it("fans out one job per tenant that runs to the end whatever the others do, a bounded number at once", () => {
        expect(Object.keys(wf.jobs)).to.deep.equal(["tenant"]);
        expect(job.strategy.matrix.tenant.length).to.be.greaterThan(1);
        expect(job.strategy["fail-fast"]).to.equal(false);
        expect(job.strategy["max-parallel"]).to.be.a("number").and.at.least(1);
        expect(job.concurrency.group, "one run at a time per tenant").to.include("${{ matrix.tenant }}");
    });

    it("gives each tenant its own environment (its client and tenant ids, its OIDC subject) and its own stack", () => {
        expect(job.environment).to.equal("intune-${{ matrix.tenant }}");
        expect(job.env.AZURE_CLIENT_ID).to.equal("${{ vars.AZURE_CLIENT_ID }}");
        expect(job.env.AZURE_TENANT_ID).to.equal("${{ vars.AZURE_TENANT_ID }}");
        expect(job.env.PULUMI_STACK).to.match(/\/intune-many-tenants\/tenant-\$\{\{ matrix\.tenant \}\}$/);
        expect(wf.permissions["id-token"]).to.equal("write");
        expect(job.permissions?.["id-token"]).to.equal("write");
        // What one tenant's job sees: the workflow's and the job's env with that environment's variables, plus GitHub's two.
        const jobEnv = { ...wf.env, AZURE_CLIENT_ID: "contoso-app", AZURE_TENANT_ID: "contoso-tenant" };
        const settings = resolveSettings(() => undefined, {
            ...jobEnv,
            ACTIONS_ID_TOKEN_REQUEST_URL: "https://token.actions.githubusercontent.com/x",
            ACTIONS_ID_TOKEN_REQUEST_TOKEN: "t",
        });
        expect(settings.auth.method).to.equal("githubOidc");
        expect([settings.clientId, settings.tenantId]).to.deep.equal(["contoso-app", "contoso-tenant"]);
        for (const name of Object.keys({ ...wf.env, ...job.env }).filter((k) => /^(AZURE|ARM|INTUNE)_/.test(k))) expect(KNOWN_ENV, name).to.include(name);
    });

    it("previews pull requests, deploys pushes, and refreshes on the schedule, with the pinned versions and no output in the log", () => {
        expect(pulumiSteps.map((s) => [s.with?.command, s.if])).to.deep.equal([
            ["preview", "github.event_name == 'pull_request'"],
            ["up", "github.event_name != 'pull_request'"],
        ]);
        expect(pulumiSteps[1].with?.refresh).to.equal("${{ github.event_name == 'schedule' }}");
        expect(pulumiSteps[1].with?.["suppress-outputs"]).to.equal(true);
        for (const s of pulumiSteps) expect(s.with?.["pulumi-version"]).to.equal("${{ env.PULUMI_VERSION }}");
        expect(wf.env.PULUMI_VERSION).to.equal(PULUMI_VERSION);
        expect(isCron(wf.on.schedule![0].cron)).to.equal(true);
        const names = job.steps.map((s) => s.uses?.split("@")[0] ?? s.name);
        expect(names.indexOf("npm ci")).to.be.lessThan(names.indexOf("pulumi/actions"));
        expect([...new Set([...text.matchAll(/\$\{\{\s*secrets\.([A-Z_]+)/g)].map((m) => m[1]))]).to.deep.equal(["PULUMI_ACCESS_TOKEN"]);
    });
});

describe("pipelines: the Azure DevOps jobs over tenants", () => {
    const file = join(PIPELINES_DIR, "azure-devops", "azure-pipelines-tenants.yml");
    const text = readFileSync(file, "utf8");
    type TenantParam = { name: string; serviceConnection: string };
    const pipeline = loadYaml<{
        parameters: { name: string; default: TenantParam[] }[];
        jobs: Record<string, { job: string; steps: Step[]; dependsOn?: unknown }[]>[];
        variables: unknown[];
    }>(file);
    const each = pipeline.jobs[0]["${{ each tenant in parameters.tenants }}"];
    const tenants = pipeline.parameters.find((p) => p.name === "tenants")!.default;
    /** The job as Azure Pipelines compiles it for one tenant. */
    const expand = (t: TenantParam) =>
        JSON.parse(JSON.stringify(each[0]).replaceAll("${{ tenant.name }}", t.name).replaceAll("${{ tenant.serviceConnection }}", t.serviceConnection)) as {
            job: string;
            steps: Step[];
            dependsOn?: unknown;
        };

    it("expands one independent job per tenant (they run in parallel; one failing stops none)", () => {
        expect(each, "the jobs come from `each` over the tenants parameter").to.have.length(1);
        expect(tenants.length).to.be.greaterThan(1);
        const jobs = tenants.map(expand);
        expect(new Set(jobs.map((j) => j.job)).size).to.equal(tenants.length);
        for (const j of jobs) expect(j.dependsOn).to.equal(undefined);
    });

    it("signs each job in through its own tenant's service connection with the azurePipelines method, onto its own stack", () => {
        for (const t of tenants) {
            const step = expand(t).steps.find((s) => s.task === "AzureCLI@2")!;
            expect(step.inputs?.azureSubscription).to.equal(t.serviceConnection);
            expect(step.inputs?.addSpnToEnvironment).to.equal(true);
            expect(step.env?.PULUMI_STACK).to.equal(`$(PULUMI_ORG)/intune-many-tenants/tenant-${t.name}`);
            const exported = Object.fromEntries(
                [...String(step.inputs?.inlineScript).matchAll(/^export (\w+)="\$\{(\w+):-\$\w+\}"$/gm)].map((m) => [m[1], `from ${m[2]}`]),
            );
            const env = {
                AZURESUBSCRIPTION_CLIENT_ID: "app",
                AZURESUBSCRIPTION_TENANT_ID: "tenant",
                AZURESUBSCRIPTION_SERVICE_CONNECTION_ID: "conn",
                ...exported,
                ...step.env,
            };
            const settings = resolveSettings(() => undefined, env);
            expect(settings.auth).to.deep.include({ method: "azurePipelines", serviceConnectionId: "conn" });
            expect(settings.tenantId).to.equal("from AZURESUBSCRIPTION_TENANT_ID");
        }
    });

    it("previews pull requests, refreshes on the schedule and deploys otherwise; no Azure secret stored", () => {
        const script = String(expand(tenants[0]).steps.find((s) => s.task === "AzureCLI@2")!.inputs?.inlineScript);
        expect(script).to.match(/PullRequest\) pulumi preview --stack "\$PULUMI_STACK"/);
        expect(script).to.match(/Schedule\) pulumi up --refresh --stack "\$PULUMI_STACK" --non-interactive --yes --suppress-outputs/);
        expect(script).to.match(/\*\) pulumi up --stack "\$PULUMI_STACK" --non-interactive --yes --suppress-outputs/);
        expect(pipeline.variables).to.deep.include({ name: "pulumiVersion", value: PULUMI_VERSION });
        expect(text).to.not.match(/AZURE_CLIENT_SECRET|clientSecret/);
        const macros = new Set([...text.matchAll(/\$\(([A-Za-z_.]+)\)/g)].map((m) => m[1]));
        expect([...macros].filter((m) => /TOKEN|SECRET|PASSWORD|PASSPHRASE/i.test(m)).sort()).to.deep.equal(["PULUMI_ACCESS_TOKEN", "System.AccessToken"]);
    });
});
