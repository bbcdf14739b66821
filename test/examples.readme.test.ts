import { expect } from "chai";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { EmulatorStateError } from "../emulator/store";
import { CLOUDS } from "../provider/graph/clouds";
import { ConsistencyTimeout } from "../provider/graph/consistency";
import { GraphRequestError, Operation, SignInError } from "../provider/graph/errors";
import { AUTH_METHODS, SETTING_KEYS, SettingsError } from "../provider/runtime/settings";
import { KINDS } from "../provider/profiles/kinds";
import { attachmentOutputs } from "../provider/profiles/attachments";
import { generatedFiles, renderDocs } from "../scripts/docs";
import { configKeysRead, listExamples, REPO_ROOT } from "./support/examples";

/**
 * The README is the reference, so it must not drift from the code: every setting and environment variable, sign-in
 * method, cloud, input (with whether it replaces), output and the exact wording of the errors it explains come from
 * the provider's own tables and classes here.
 */
describe("README: the reference matches the code", () => {
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");

    /** The lines of the section under `heading` (up to the next heading of the same or a higher level). */
    function section(heading: string): string {
        const level = heading.match(/^#+/)![0].length;
        const start = readme.indexOf(`\n${heading}\n`);
        expect(start, `README section "${heading}"`).to.be.greaterThan(-1);
        const rest = readme.slice(start + heading.length + 2);
        const next = rest.search(new RegExp(`\\n#{1,${level}} `));
        return next === -1 ? rest : rest.slice(0, next);
    }

    it("keeps the Quickstart first, and the reference below it", () => {
        const quickstart = readme.indexOf("\n## Quickstart\n");
        expect(quickstart).to.be.greaterThan(-1);
        expect(readme.indexOf("\n## Install\n")).to.be.greaterThan(quickstart);
        expect(readme.indexOf("\n## The Graph emulator\n")).to.be.greaterThan(quickstart);
    });

    it("lists every intune:* config key with all of its environment variables, and marks the secret ones", () => {
        const table = section("## Configuration: every `intune:*` key and environment variable");
        for (const s of SETTING_KEYS) {
            const row = table.split("\n").find((l) => l.startsWith(`| \`intune:${s.key}\` |`));
            expect(row, `a row for intune:${s.key}`).to.not.equal(undefined);
            for (const env of s.env) expect(row, `intune:${s.key} row names ${env}`).to.include(`\`${env}\``);
            expect(row!.split("|")[3].trim(), `intune:${s.key} secret column`).to.equal(s.secret ? "yes" : "");
        }
        const rows = table.split("\n").filter((l) => l.startsWith("| `intune:"));
        expect(rows, "no row for a key the provider does not read").to.have.length(SETTING_KEYS.length);
    });

    it("describes every sign-in method in the order the provider tries them", () => {
        const methods = section("## Signing in: the methods and how one is chosen");
        const order = [...methods.matchAll(/^\| (\d) \| `(\w+)` \|/gm)].map((m) => m[2]);
        // The order of chooseAuth in provider/runtime/settings.ts.
        expect(order).to.deep.equal([
            "accessToken",
            "clientSecret",
            "clientCertificate",
            "workloadIdentity",
            "githubOidc",
            "azurePipelines",
            "managedIdentity",
            "azureCli",
            "default",
        ]);
        expect([...order].sort()).to.deep.equal([...AUTH_METHODS].sort());
        expect(methods).to.include("embedded emulator");
    });

    it("describes every national cloud with its Graph and sign-in hosts", () => {
        const clouds = section("## National clouds");
        for (const c of Object.values(CLOUDS)) {
            const row = clouds.split("\n").find((l) => l.startsWith(`| \`${c.name}\``));
            expect(row, c.name).to.not.equal(undefined);
            expect(row).to.include(c.graphRoot).and.include(c.authorityHost);
            expect(row!.includes("**no**"), `${c.name} AOSP column`).to.equal(!c.supportsAosp);
        }
    });

    it("holds each resource's input and output tables and the configuration table exactly as the code renders them (npm run docs)", () => {
        expect(generatedFiles()).to.deep.equal(["README.md"]);
        expect(renderDocs("README.md", readme), "README.md is behind the code: run `npm run docs`").to.equal(readme);
        for (const kind of Object.values(KINDS)) {
            const text = section(`### ${kind.typeName}`);
            for (const input of kind.inputKeys) expect(text, `${kind.typeName}.${input}`).to.include(`| \`${input}\` |`);
            for (const output of kind.serverOutputs) expect(text, `${kind.typeName} output ${output}`).to.include(`| \`${output}\` |`);
            // Outputs kept beside the entity (enrollment-time grouping) are described in the type's prose.
            for (const output of attachmentOutputs(kind)) expect(text, `${kind.typeName} output ${output}`).to.include(`\`${output}\``);
            expect(readme).to.include(`pulumi-nodejs:dynamic/intune:${kind.typeName}`);
        }
    });

    it("quotes the provider's error messages exactly as it words them", () => {
        const creating: Operation = { description: 'Creating Android enrollment profile "Kiosk"', kind: "write" };
        const messages = [
            new GraphRequestError({ operation: creating, status: 403, code: "Forbidden" }),
            new GraphRequestError({ operation: { description: 'Reading Android enrollment profile "Kiosk"', kind: "read" }, status: 403, code: "Forbidden" }),
            new GraphRequestError({
                operation: creating,
                status: 401,
                code: "Unauthorized",
                serviceMessage: "Access token validation failure. Invalid audience.",
            }),
            new GraphRequestError({ operation: { description: 'Updating Android enrollment profile "Kiosk"', kind: "write" }, status: 404, code: "NotFound" }),
            new GraphRequestError({ operation: creating, status: 429, code: "TooManyRequests", attempts: 14 }),
            new GraphRequestError({ operation: creating, status: 503, code: "ServiceUnavailable", attempts: 9 }),
            new GraphRequestError({
                operation: creating,
                status: 500,
                code: "EmulatorStateFileError",
                serviceMessage: new EmulatorStateError(
                    "/home/me/kiosk/.intune-emulator/state.json",
                    "save",
                    new Error("ENOSPC: no space left on device, write"),
                ).message,
            }),
            new GraphRequestError({
                operation: creating,
                code: "NetworkError",
                serviceMessage: "connect ECONNREFUSED 10.0.0.1:443; could not reach Microsoft Graph at https://graph.microsoft.com",
                attempts: 7,
            }),
            new GraphRequestError({
                operation: creating,
                code: "OutcomeUnknown",
                serviceMessage: "socket hang up; the request may or may not have taken effect",
                outcomeUnknown: true,
            }),
            new SignInError(
                "githubOidc",
                new Error('The GitHub Actions OIDC endpoint answered 403: does the job have "permissions: id-token: write"?'),
                creating,
            ),
            new SignInError("clientSecret", new Error("endpoints_resolution_error: Endpoints cannot be resolved"), creating),
            new ConsistencyTimeout(`Android enrollment profile "Kiosk 03" (5b0f3c2e-9d1a-4c8e-8f6b-2a7d9e1c4b3f) to show its enrollment token`, 120_000),
            new SettingsError(["signing in with a client secret needs `intune:clientSecret` or AZURE_CLIENT_SECRET"]),
        ];
        for (const m of messages) expect(readme, m.name).to.include(m.message);
    });

    it("quotes the engine's check-failure format with a reason the provider really gives", () => {
        // The reason is the one validate.ts produces for a 120-day AOSP token; the framing is Pulumi's own.
        expect(readme).to.include("property tokenValidityDays value {120} has a problem: must be at most 90 days for AOSP enrollment modes (got 120)");
        const validate = readFileSync(join(REPO_ROOT, "provider", "profiles", "validate.ts"), "utf8");
        expect(validate).to.include("must be at most ${rules.maxValidityDays} days ${rules.scope} (got ${days})");
    });

    it("points at every example and pipeline file, and they exist", () => {
        for (const e of listExamples()) expect(readme, e.name).to.include(`\`${e.name}\``);
        for (const f of [
            "pipelines/github-actions/intune-enrollment.yml",
            "pipelines/azure-devops/azure-pipelines.yml",
            "pipelines/setup/create-app-registration.sh",
            "pipelines/github-actions/intune-enrollment-tenants.yml",
            "pipelines/azure-devops/azure-pipelines-tenants.yml",
        ]) {
            expect(readme, f).to.include(f);
            expect(existsSync(join(REPO_ROOT, f)), f).to.equal(true);
        }
    });

    it("names the same Graph application permission id as the setup script", () => {
        const script = readFileSync(join(REPO_ROOT, "pipelines", "setup", "create-app-registration.sh"), "utf8");
        const id = script.match(/^KNOWN_APP_ROLE_ID=([0-9a-f-]{36})$/m)![1];
        expect(readme).to.include(id);
        expect(readFileSync(join(REPO_ROOT, "pipelines", "README.md"), "utf8")).to.include(id);
    });

    it("each example's README documents every config key its program reads", () => {
        for (const e of listExamples()) {
            const own = readFileSync(join(e.dir, "README.md"), "utf8");
            for (const key of configKeysRead(readFileSync(join(e.dir, "index.ts"), "utf8"))) {
                expect(own, `examples/${e.name}/README.md documents "${key}"`).to.include(`\`${key}\``);
            }
        }
    });
});
