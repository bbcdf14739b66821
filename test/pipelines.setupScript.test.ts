import { expect } from "chai";
import { readFileSync, statSync } from "node:fs";
import {
    APP_ID,
    APP_OBJECT_ID,
    APP_ROLE_ID,
    bashSyntaxCheck,
    FakeTenant,
    GRAPH_SP_ID,
    runSetupScript,
    SETUP_SCRIPT,
    SP_ID,
    TENANT_ID,
} from "./support/examplesPipelines";

/**
 * pipelines/setup/create-app-registration.sh, run for real against a stand-in Azure CLI that answers like a tenant
 * and records every call: what it creates in an empty tenant, that a second run changes nothing, the permission id
 * it grants (the application role, not the delegated scope of the same name), and how it fails.
 */
describe("pipelines: create-app-registration.sh", function () {
    this.timeout(60_000);
    const ISSUER = "https://token.actions.githubusercontent.com";
    const empty: FakeTenant = { appExists: false, spExists: false, permissionDeclared: false, consentGranted: false, federatedCredentials: {} };
    const complete: FakeTenant = {
        appExists: true,
        spExists: true,
        permissionDeclared: true,
        consentGranted: true,
        federatedCredentials: {
            "github-contoso-intune-branch-main": [ISSUER, "repo:contoso/intune:ref:refs/heads/main"],
            "github-contoso-intune-pull-request": [ISSUER, "repo:contoso/intune:pull_request"],
            "github-contoso-intune-environment-intune-production": [ISSUER, "repo:contoso/intune:environment:intune-production"],
        },
    };
    const changes = (calls: string[]): string[] =>
        calls.filter((c) => / create |^ad app create|permission add|^rest --method POST|federated-credential (create|update)/.test(c));

    it("passes bash -n, is executable, and is strict (set -euo pipefail)", async () => {
        const { code, output } = await bashSyntaxCheck(SETUP_SCRIPT);
        expect(output).to.equal("");
        expect(code).to.equal(0);
        expect(statSync(SETUP_SCRIPT).mode & 0o111, "executable").to.not.equal(0);
        expect(readFileSync(SETUP_SCRIPT, "utf8"))
            .to.match(/^#!\/usr\/bin\/env bash\n/)
            .and.match(/\nset -euo pipefail\n/);
    });

    it("prints its usage for --help, and exits 2 with the usage when neither a repository nor a service connection is given", async () => {
        const help = await runSetupScript(["--help"], empty);
        expect(help.code).to.equal(0);
        expect(help.stdout).to.match(/^usage: create-app-registration\.sh --repo ORG\/REPO/);
        expect(help.calls).to.deep.equal([]);
        const bare = await runSetupScript([], empty);
        expect(bare.code).to.equal(2);
        expect(bare.stderr).to.include("usage:").and.include("give --repo ORG/REPO");
        const bad = await runSetupScript(["--repo", "not a repo"], empty);
        expect(bad.code).to.equal(1);
        expect(bad.stderr).to.include('--repo must look like ORG/REPO, not "not a repo"');
    });

    it("says how to get the Azure CLI when there is none", async () => {
        const run = await runSetupScript(["--repo", "contoso/intune"], undefined);
        expect(run.code).to.equal(1);
        expect(run.stderr).to.include("the Azure CLI (az) is not installed");
    });

    it("in an empty tenant: creates the app, its service principal, three GitHub federated credentials, the permission and its consent", async () => {
        const run = await runSetupScript(["--repo", "contoso/intune"], empty);
        expect(run.stderr, run.stderr).to.not.include("unexpected call");
        expect(run.code, run.stderr).to.equal(0);
        expect(changes(run.calls).map((c) => c.replace(/--parameters \S+/, "--parameters <file>"))).to.deep.equal([
            "ad app create --display-name pulumi-intune-enrollment --sign-in-audience AzureADMyOrg --query appId -o tsv",
            `ad sp create --id ${APP_ID} --query id -o tsv`,
            ...Array(3).fill(`ad app federated-credential create --id ${APP_OBJECT_ID} --parameters <file> --output none`),
            `ad app permission add --id ${APP_ID} --api 00000003-0000-0000-c000-000000000000 --api-permissions ${APP_ROLE_ID}=Role --output none`,
            `rest --method POST --uri https://graph.microsoft.com/v1.0/servicePrincipals/${SP_ID}/appRoleAssignments --headers Content-Type=application/json --body {"principalId":"${SP_ID}","resourceId":"${GRAPH_SP_ID}","appRoleId":"${APP_ROLE_ID}"} --output none`,
        ]);
        const credentials = run.calls
            .filter((c) => c.startsWith("PARAMETERS "))
            .map((c) => JSON.parse(c.slice("PARAMETERS ".length)) as Record<string, unknown>);
        expect(credentials.map((c) => c.subject)).to.deep.equal([
            "repo:contoso/intune:ref:refs/heads/main",
            "repo:contoso/intune:pull_request",
            "repo:contoso/intune:environment:intune-production",
        ]);
        for (const c of credentials) {
            expect(c.issuer).to.equal(ISSUER);
            expect(c.audiences).to.deep.equal(["api://AzureADTokenExchange"]);
            expect(c.name).to.match(/^[A-Za-z0-9_-]{1,120}$/);
        }
        expect(run.stdout).to.include(`AZURE_TENANT_ID=${TENANT_ID}`).and.include(`AZURE_CLIENT_ID=${APP_ID}`);
        expect(run.stdout).to.include(`gh variable set AZURE_CLIENT_ID --body ${APP_ID} --repo contoso/intune`);
    });

    it("run again in the tenant it completed: changes nothing", async () => {
        const run = await runSetupScript(["--repo", "contoso/intune"], complete);
        expect(run.code, run.stderr).to.equal(0);
        expect(changes(run.calls)).to.deep.equal([]);
        expect(run.stderr).to.include("exists github-contoso-intune-branch-main").and.include("granted");
    });

    it("updates a federated credential whose subject changed, and adds an Azure DevOps one", async () => {
        const tenant: FakeTenant = {
            ...complete,
            federatedCredentials: { ...complete.federatedCredentials, "github-contoso-intune-branch-main": [ISSUER, "repo:contoso/old:ref:refs/heads/main"] },
        };
        const run = await runSetupScript(
            [
                "--repo",
                "contoso/intune",
                "--ado-issuer",
                "https://vstoken.dev.azure.com/00000000-1111-2222-3333-444444444444",
                "--ado-subject",
                "sc://contoso/intune/intune-enrollment-wif",
            ],
            tenant,
        );
        expect(run.code, run.stderr).to.equal(0);
        expect(changes(run.calls).map((c) => c.split(" --id")[0])).to.deep.equal(["ad app federated-credential update", "ad app federated-credential create"]);
        const params = run.calls.filter((c) => c.startsWith("PARAMETERS ")).map((c) => JSON.parse(c.slice(11)) as Record<string, string>);
        expect(params.map((p) => p.subject)).to.deep.equal(["repo:contoso/intune:ref:refs/heads/main", "sc://contoso/intune/intune-enrollment-wif"]);
        expect(params[1].issuer).to.equal("https://vstoken.dev.azure.com/00000000-1111-2222-3333-444444444444");
    });

    it("--dry-run changes nothing and shows what it would run", async () => {
        const run = await runSetupScript(["--repo", "contoso/intune", "--dry-run"], empty);
        expect(run.code, run.stderr).to.equal(0);
        expect(changes(run.calls)).to.deep.equal([]);
        expect(run.stderr.match(/would run: /g)).to.have.length(7);
        expect(run.stderr).to.include("would run: az ad app permission add --id <new-app-id>");
        expect(run.stderr).to.include("Done (dry run: nothing was changed)");
    });

    it("grants the application permission even when Graph's service principal does not list it (the published app role id)", async () => {
        const run = await runSetupScript(["--repo", "contoso/intune", "--no-pull-request", "--environment", ""], { ...empty, noAppRole: true });
        expect(run.code, run.stderr).to.equal(0);
        expect(run.calls.filter((c) => c.includes("federated-credential create"))).to.have.length(1);
        expect(run.calls.find((c) => c.startsWith("ad app permission add"))).to.include(`${APP_ROLE_ID}=Role`);
        expect(run.calls.join("\n"), "never the delegated scope of the same name").to.not.include("0883f392-0a7a-443d-8c76-16a6d39c7b63");
    });

    it("without the admin role: stops with the command an administrator must run; --skip-consent just prints it", async () => {
        const refused = await runSetupScript(["--repo", "contoso/intune"], { ...empty, consentRefused: true });
        expect(refused.code).to.equal(1);
        expect(refused.stderr)
            .to.include("Privileged Role Administrator")
            .and.include(`appRoleAssignments --headers Content-Type=application/json --body '{"principalId":"${SP_ID}"`);
        const skipped = await runSetupScript(["--repo", "contoso/intune", "--skip-consent"], empty);
        expect(skipped.code, skipped.stderr).to.equal(0);
        expect(skipped.calls.filter((c) => c.startsWith("rest --method POST"))).to.deep.equal([]);
        expect(skipped.stderr).to.include("not granted (--skip-consent)").and.include("Grant admin consent");
    });
});
