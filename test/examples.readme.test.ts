import { expect } from "chai";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { EmulatorStateError } from "../emulator/store";
import { CLOUD_NAMES_ACCEPTED, CLOUDS, cloudByName } from "../provider/graph/clouds";
import { ConsistencyTimeout } from "../provider/graph/consistency";
import { GraphRequestError, Operation, SignInError, TenantMismatchError } from "../provider/graph/errors";
import { AUTH_METHODS, SETTING_KEYS, SettingsError } from "../provider/runtime/settings";
import { KINDS } from "../provider/profiles/kinds";
import { attachmentOutputs } from "../provider/profiles/attachments";
import { androidDeviceOwnerKind } from "../provider/profiles/kinds/androidDeviceOwner";
import { checkInputs } from "../provider/profiles/validate";
import { generatedFiles, renderDocs } from "../scripts/docs";
import { configKeysRead, listExamples, REPO_ROOT, typeCheck } from "./support/examples";

// js-yaml comes with @pulumi/pulumi (and mocha); it has no declarations of its own here.
const yaml = require("js-yaml") as { load(text: string): unknown };

/**
 * The README is a newcomer's page and docs/ is the reference; neither may drift from the code. Every setting and
 * environment variable, sign-in method, cloud, input (with whether it replaces), output, emulator option and admin
 * route, and the exact wording of the errors the pages explain come from the provider's own tables and classes here;
 * the README's starter project is checked against the package; and every link between the pages must land.
 */

const read = (file: string): string => readFileSync(join(REPO_ROOT, file), "utf8");
const DOC_PAGES = readdirSync(join(REPO_ROOT, "docs"))
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => `docs/${f}`);
/** The pages whose links and anchors are checked: the README, the changelog, docs/ and the folders' own READMEs. */
const LINKED_PAGES = [
    "README.md",
    "CHANGELOG.md",
    ...DOC_PAGES,
    "pipelines/README.md",
    "examples/README.md",
    ...listExamples().map((e) => `examples/${e.name}/README.md`),
];

/** The lines of a markdown text outside fenced code blocks, with their index (fences themselves left out). */
function proseLines(text: string): { line: string; index: number }[] {
    const out: { line: string; index: number }[] = [];
    let fenced = false;
    text.split("\n").forEach((line, index) => {
        if (/^\s*```/.test(line)) fenced = !fenced;
        else if (!fenced) out.push({ line, index });
    });
    return out;
}

/** The section of `file` under `heading` (up to the next heading of the same or a higher level), code blocks included. */
function section(file: string, heading: string): string {
    const text = read(file);
    const lines = text.split("\n");
    const level = heading.match(/^#+/)![0].length;
    const headings = proseLines(text).filter(({ line }) => /^#{1,6} /.test(line));
    const at = headings.findIndex(({ line }) => line === heading);
    expect(at, `${file} section "${heading}"`).to.be.greaterThan(-1);
    const next = headings.slice(at + 1).find(({ line }) => line.match(/^#+/)![0].length <= level);
    return lines.slice(headings[at].index + 1, next ? next.index : lines.length).join("\n");
}

/** GitHub's anchor for a heading: markdown removed, lower-case, punctuation but `-` and `_` dropped, spaces to `-`. */
function slug(heading: string): string {
    const text = heading
        .replace(/\[([^\]]*)\]\([^)]*\)/g, "$1")
        .replace(/`/g, "")
        .trim()
        .toLowerCase();
    return text.replace(/[^\p{L}\p{N}\s_-]/gu, "").replace(/\s/g, "-");
}

/** Every anchor a page offers, numbered as GitHub numbers repeated headings (`-1`, `-2`, ...). */
function anchorsOf(file: string): Set<string> {
    const seen = new Map<string, number>();
    const anchors = new Set<string>();
    for (const { line } of proseLines(read(file))) {
        const m = /^#{1,6} (.*)$/.exec(line);
        if (!m) continue;
        const base = slug(m[1]);
        const n = seen.get(base) ?? 0;
        seen.set(base, n + 1);
        anchors.add(n === 0 ? base : `${base}-${n}`);
    }
    return anchors;
}

/** The targets of the markdown links in a page's prose (inline code and code blocks left out). */
function linksOf(file: string): string[] {
    const targets: string[] = [];
    for (const { line } of proseLines(read(file))) {
        const prose = line.replace(/`[^`]*`/g, "``");
        for (const m of prose.matchAll(/\]\(([^)\s]+)\)/g)) targets.push(m[1]);
    }
    return targets;
}

/** The code blocks of a section, by their info string (`json`, `yaml`, `bash`, `ts`). */
function codeBlocks(text: string, info: string): string[] {
    return [...text.matchAll(new RegExp("^```" + info + "\\n([\\s\\S]*?)^```", "gm"))].map((m) => m[1]);
}

describe("README: a newcomer's page that leads to the rest", () => {
    const readme = read("README.md");
    const pkg = JSON.parse(read("package.json")) as {
        name: string;
        version: string;
        peerDependencies: Record<string, string>;
        devDependencies: Record<string, string>;
        scripts: Record<string, string>;
    };

    it("has at most 300 lines", () => {
        expect(readme.split("\n").length, "README.md lines").to.be.at.most(300);
    });

    it("starts with the Quickstart, whose commands are exactly the demo and the test command", () => {
        const first = proseLines(readme).find(({ line }) => line.startsWith("## "));
        expect(first?.line).to.equal("## Quickstart");
        const [commands] = codeBlocks(section("README.md", "## Quickstart"), "bash");
        // .ci/run runs `npm ci && npm test` and a CI hook greps for `npm run demo`: these two lines, as they are.
        expect(commands.trimEnd().split("\n")).to.deep.equal(["npm ci && npm run demo", "npm ci && npm test"]);
    });

    it("links every docs page and the changelog", () => {
        const linked = new Set(linksOf("README.md").map((t) => t.split("#")[0]));
        for (const page of [...DOC_PAGES, "CHANGELOG.md"]) expect(linked, `README.md links ${page}`).to.include(page);
    });

    it("gives a starter package.json, tsconfig.json and Pulumi.yaml that fit the package", async () => {
        const install = section("README.md", "## Install in your own program");
        const [packageJson] = codeBlocks(install, "json").map((b) => JSON.parse(b) as Record<string, Record<string, string>>);
        const [tsconfig] = codeBlocks(install, "json").slice(1);
        const [project] = codeBlocks(install, "yaml").map((b) => yaml.load(b) as { name: string; runtime: { name: string; options: { typescript: boolean } } });
        const [program] = codeBlocks(install, "ts");
        const tarball = `${pkg.name}-${pkg.version}.tgz`;

        expect(packageJson.dependencies["@pulumi/pulumi"], "the peer dependency's range").to.equal(pkg.peerDependencies["@pulumi/pulumi"]);
        expect(packageJson.dependencies[pkg.name]).to.equal(`file:../pulumi-intune-enrollment/${tarball}`);
        expect(install, "the commands make and install the tarball the package.json names").to.include(`npm pack     # -> ${tarball}`);
        expect(install).to.include(`npm install ../pulumi-intune-enrollment/${tarball}`);
        for (const dev of ["typescript", "@types/node"]) expect(packageJson.devDependencies[dev], dev).to.equal(pkg.devDependencies[dev]);
        expect(project.name).to.equal(packageJson.name);
        expect(project.runtime).to.deep.equal({ name: "nodejs", options: { typescript: true } });

        // The program compiles with that tsconfig against the package as built, as it will in the new folder.
        const work = mkdtempSync(join(tmpdir(), "intune-readme-starter-"));
        try {
            writeFileSync(join(work, "tsconfig.json"), tsconfig);
            writeFileSync(join(work, "index.ts"), program);
            const { code, output } = await typeCheck(work);
            expect(output, "tsc output for the README's index.ts").to.equal("");
            expect(code).to.equal(0);
        } finally {
            rmSync(work, { recursive: true, force: true });
        }
    });

    it("runs only npm scripts that exist, and names repository files that exist", () => {
        for (const page of ["README.md", ...DOC_PAGES]) {
            for (const line of read(page).split("\n")) {
                // A line that goes `cd examples/<name>` may also run that example's own scripts.
                const inExample = /cd examples\/([\w-]+)/.exec(line)?.[1];
                const own = inExample ? (JSON.parse(read(`examples/${inExample}/package.json`)) as Partial<typeof pkg>).scripts : undefined;
                const scripts = { ...pkg.scripts, ...own };
                for (const m of line.matchAll(/npm run ([a-z][\w:-]*)/g)) expect(scripts, `${page}: npm run ${m[1]}`).to.have.property(m[1]);
            }
        }
        for (const m of readme.matchAll(/(?:^|[\s`("])((?:scripts|examples|pipelines|quickstart)\/[\w./-]*[\w/])/gm)) {
            expect(existsSync(join(REPO_ROOT, m[1])), `README.md names ${m[1]}`).to.equal(true);
        }
    });
});

describe("docs: every link lands on a page and a heading that exist", () => {
    for (const page of LINKED_PAGES) {
        it(`${page}`, () => {
            for (const target of linksOf(page)) {
                if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto: ...
                const [path, anchor] = target.split("#");
                const file = path === "" ? page : relative(REPO_ROOT, resolve(REPO_ROOT, dirname(page), path));
                expect(existsSync(join(REPO_ROOT, file)), `${page} links ${target}: ${file} does not exist`).to.equal(true);
                if (anchor !== undefined && file.endsWith(".md")) {
                    expect([...anchorsOf(file)], `${page} links ${target}: no heading "#${anchor}" in ${file}`).to.include(anchor);
                }
            }
        });
    }
});

describe("docs: the reference matches the code", () => {
    it("holds every generated block exactly as the code renders it (npm run docs)", () => {
        expect(generatedFiles()).to.have.members(["docs/reference.md", "docs/installation-configuration.md", "docs/emulator.md", "docs/plugin.md"]);
        for (const file of generatedFiles()) {
            const text = read(file);
            expect(renderDocs(file, text), `${file} is behind the code: run \`npm run docs\``).to.equal(text);
        }
    });

    it("lists every intune:* config key with all of its environment variables, and marks the secret ones", () => {
        const table = section("docs/installation-configuration.md", "## Configuration: every `intune:*` key and environment variable");
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
        const methods = section("docs/installation-configuration.md", "## Signing in: the methods and how one is chosen");
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

    it("describes every national cloud with its Graph and sign-in hosts, and every name it is accepted under", () => {
        const clouds = section("docs/installation-configuration.md", "## National clouds");
        const listed = new Set<string>();
        for (const c of Object.values(CLOUDS)) {
            const row = clouds.split("\n").find((l) => l.startsWith(`| \`${c.name}\``));
            expect(row, c.name).to.not.equal(undefined);
            expect(row).to.include(c.graphRoot).and.include(c.authorityHost);
            expect(row!.includes("**no**"), `${c.name} AOSP column`).to.equal(!c.supportsAosp);
            for (const m of row!.split("|")[2].matchAll(/`([^`]+)`/g)) {
                expect(cloudByName(m[1])?.name, `"${m[1]}" is accepted for ${c.name}`).to.equal(c.name);
                listed.add(m[1].replace(/[\s_-]/g, "").toLowerCase());
            }
            listed.add(c.name.toLowerCase());
        }
        expect([...listed].sort(), "every name the provider accepts is listed").to.deep.equal([...CLOUD_NAMES_ACCEPTED].sort());
    });

    it("describes each resource's inputs and outputs under its own heading", () => {
        const reference = read("docs/reference.md");
        for (const kind of Object.values(KINDS)) {
            const text = section("docs/reference.md", `### ${kind.typeName}`);
            for (const input of kind.inputKeys) expect(text, `${kind.typeName}.${input}`).to.include(`| \`${input}\` |`);
            for (const output of kind.serverOutputs) expect(text, `${kind.typeName} output ${output}`).to.include(`| \`${output}\` |`);
            // Outputs kept beside the entity (enrollment-time grouping) are described in the type's prose.
            for (const output of attachmentOutputs(kind)) expect(text, `${kind.typeName} output ${output}`).to.include(`\`${output}\``);
            expect(reference).to.include(`pulumi-nodejs:dynamic/intune:${kind.typeName}`);
        }
    });

    it("quotes the provider's error messages exactly as it words them", () => {
        const troubleshooting = section("docs/troubleshooting.md", "## Troubleshooting by error message");
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
            new TenantMismatchError({ description: 'Refreshing Android enrollment profile "Kiosk" (<id>)', kind: "read" }, "<A>", "<B>"),
        ];
        for (const m of messages) expect(troubleshooting, m.name).to.include(m.message);
    });

    it("quotes the engine's check-failure format with a reason the provider really gives", () => {
        // The reason is the one check gives a 120-day AOSP token; the framing is Pulumi's own.
        const program = { displayName: "Headsets", enrollmentMode: "corporateOwnedAOSPUserlessDevice", tokenValidityDays: 120 };
        const [failure] = checkInputs(androidDeviceOwnerKind, {}, program, undefined).failures;
        expect(failure.reason).to.equal("must be at most 90 days for AOSP enrollment modes (got 120)");
        expect(section("docs/troubleshooting.md", "## Troubleshooting by error message")).to.include(
            `property tokenValidityDays value {120} has a problem: ${failure.reason}`,
        );
    });

    it("lists every option of the emulator's command line", () => {
        const options = section("docs/emulator.md", "## Options");
        const cli = read("emulator/cli.ts");
        const declared = [...cli.slice(cli.indexOf("options: {")).matchAll(/^\s+"?([a-z][a-z0-9-]*)"?: \{ type: /gm)].map((m) => m[1]);
        expect(declared).to.include.members(["port", "tenant-id", "no-http2", "json"]);
        for (const flag of declared) expect(options, `--${flag}`).to.match(new RegExp(`^\\| [^|]*\`--${flag}\``, "m"));
    });

    it("lists every admin route of the emulator, groups included", () => {
        const routes = section("docs/emulator.md", "## Admin routes");
        const admin = read("emulator/admin.ts");
        const cases = [...admin.matchAll(/case "([A-Z]+) \/(\w+)":/g)].map((m) => `${m[1]} /_emulator/${m[2]}`);
        expect(cases).to.include.members(["GET /_emulator/groups", "POST /_emulator/groups", "DELETE /_emulator/groups"]);
        for (const route of cases) expect(routes, route).to.include(`\`${route}`);
        for (const route of ["GET", "POST", "PATCH", "DELETE", "PUT"]) expect(routes, `${route} of profiles`).to.include(`\`${route} /_emulator/profiles/`);
    });

    it("points at every example and pipeline file, and they exist", () => {
        const overview = read("docs/_index.md");
        for (const e of listExamples()) expect(section("docs/_index.md", "## Examples"), e.name).to.include(`examples/${e.name}`);
        for (const f of [
            "pipelines/github-actions/intune-enrollment.yml",
            "pipelines/azure-devops/azure-pipelines.yml",
            "pipelines/setup/create-app-registration.sh",
            "pipelines/github-actions/intune-enrollment-tenants.yml",
            "pipelines/azure-devops/azure-pipelines-tenants.yml",
        ]) {
            expect(overview, f).to.include(f);
            expect(existsSync(join(REPO_ROOT, f)), f).to.equal(true);
        }
    });

    it("names the same Graph application permission id as the setup script", () => {
        const script = read("pipelines/setup/create-app-registration.sh");
        const id = script.match(/^KNOWN_APP_ROLE_ID=([0-9a-f-]{36})$/m)![1];
        expect(section("docs/_index.md", "## Pipelines")).to.include(id);
        expect(read("pipelines/README.md")).to.include(id);
    });

    it("each example's README documents every config key its program reads", () => {
        for (const e of listExamples("nodejs")) {
            const own = readFileSync(join(e.dir, "README.md"), "utf8");
            for (const key of configKeysRead(readFileSync(join(e.dir, "index.ts"), "utf8"))) {
                expect(own, `examples/${e.name}/README.md documents "${key}"`).to.include(`\`${key}\``);
            }
        }
    });
});
