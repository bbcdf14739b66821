import { mkdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import * as ts from "typescript";

/**
 * Runs one example program in this process under Pulumi's mocks (no engine, no CLI, no Graph): a child process of
 * test/examples.programs.test.ts, so the SDK's process-wide runtime state never meets the other suites. The example's
 * TypeScript is transpiled next to the repository's node_modules, so `@pulumi/pulumi` and `pulumi-intune-enrollment`
 * resolve to the copies the rest of the suite uses.
 *
 *   node examplesMockProgram.js <request.json>
 */

export interface MockRunRequest {
    /** Absolute folder of the example. */
    example: string;
    project: string;
    stack: string;
    /** Stack config without the project prefix ("sourceStack"), or with a namespace ("intune:tenantId"). */
    config: Record<string, string>;
    secretConfig?: string[];
    preview: boolean;
    /** Outputs of the stacks a StackReference reads, by stack name. */
    stackOutputs?: Record<string, Record<string, unknown>>;
    /** The program's working directory (relative paths in the program resolve here). */
    cwd: string;
    /** Where to write the MockRunResult. */
    result: string;
}

export interface MockResource {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

export interface MockRunResult {
    resources: MockResource[];
    exports: Record<string, { value: unknown; secret: boolean }>;
    error?: string;
}

/** Every token-bearing field of a profile is secret, as the engine makes it through additionalSecretOutputs. */
const SECRET_OUTPUTS = ["tokenValue", "qrCodeContent", "qrCodeImage", "wifiPassword"];
/** The identity the mocked azuread provider signs in as (getClientConfig). */
export const MOCK_DEPLOYER = {
    clientId: "0e1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b",
    objectId: "9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a",
    tenantId: "11111111-2222-3333-4444-555555555555",
};

/** A 1x1 PNG: stands for the QR image Graph returns. */
export const TINY_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

function transpile(example: string, into: string): string {
    const tsconfig = JSON.parse(readFileSync(join(example, "tsconfig.json"), "utf8")) as { files?: string[] };
    for (const file of tsconfig.files ?? ["index.ts"]) {
        const out = ts.transpileModule(readFileSync(join(example, file), "utf8"), {
            compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
            fileName: file,
        });
        writeFileSync(join(into, basename(file).replace(/\.ts$/, ".js")), out.outputText);
    }
    return join(into, "index.js");
}

async function settle(value: unknown): Promise<{ value: unknown; secret: boolean }> {
    const output = pulumi.output(value) as unknown as { promise(): Promise<unknown>; isSecret: Promise<boolean> };
    return { value: await output.promise(), secret: await output.isSecret };
}

async function main(): Promise<void> {
    const request = JSON.parse(readFileSync(process.argv[2], "utf8")) as MockRunRequest;
    const result: MockRunResult = { resources: [], exports: {} };
    const work = join(__dirname, "..", "..", ".examples-mock", `${basename(request.example)}-${process.pid}`);
    mkdirSync(work, { recursive: true });
    try {
        process.chdir(request.cwd);
        const now = Date.now();
        await pulumi.runtime.setMocks(
            {
                newResource(args: pulumi.runtime.MockResourceArgs): { id: string; state: Record<string, unknown> } {
                    const { __provider, ...inputs } = args.inputs as Record<string, unknown>;
                    void __provider;
                    result.resources.push({ type: args.type, name: args.name, inputs });
                    if (args.type === "pulumi:pulumi:StackReference") {
                        const stackName = String(inputs.name);
                        const outputs = request.stackOutputs?.[stackName];
                        if (!outputs) throw new Error(`no outputs for stack ${stackName} in the mock request`);
                        return { id: stackName, state: { name: stackName, outputs, secretOutputNames: Object.keys(outputs) } };
                    }
                    const id = `00000000-0000-4000-8000-${String(result.resources.length).padStart(12, "0")}`;
                    // Entra ID objects (the fleet example's groups and service principal): Graph gives each an object id.
                    if (args.type.startsWith("azuread:")) return { id, state: { ...inputs, objectId: id } };
                    const state: Record<string, unknown> = {
                        ...inputs,
                        profileId: id,
                        accountId: "11111111-2222-3333-4444-555555555555",
                        tokenValue: `TOKEN-${args.name}`,
                        tokenExpirationDateTime: new Date(now + 90 * 86_400_000).toISOString(),
                        qrCodeContent: JSON.stringify({ token: `TOKEN-${args.name}` }),
                        qrCodeImage: TINY_PNG,
                        qrCodeImageType: "image/png",
                        enrolledDeviceCount: 0,
                        createdDateTime: new Date(now).toISOString(),
                        lastModifiedDateTime: new Date(now).toISOString(),
                    };
                    for (const key of SECRET_OUTPUTS) if (state[key] !== undefined) state[key] = pulumi.secret(state[key]);
                    return { id, state };
                },
                call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
                    if (args.token === "azuread:index/getClientConfig:getClientConfig") return { ...MOCK_DEPLOYER };
                    throw new Error(`unexpected call ${args.token}`);
                },
            },
            request.project,
            request.stack,
            request.preview,
        );
        const config = Object.fromEntries(Object.entries(request.config).map(([k, v]) => [k.includes(":") ? k : `${request.project}:${k}`, v]));
        const secretKeys = (request.secretConfig ?? []).map((k) => (k.includes(":") ? k : `${request.project}:${k}`));
        pulumi.runtime.setAllConfig(config, secretKeys);

        const program = require(transpile(request.example, work)) as Record<string, unknown>;
        for (const [key, value] of Object.entries(program)) result.exports[key] = await settle(value);
        // Resources register asynchronously (their inputs are Outputs): let the last ones reach the mocks.
        await new Promise((r) => setTimeout(r, 50));
    } catch (err) {
        result.error = err instanceof Error ? (err.stack ?? err.message) : String(err);
    } finally {
        rmSync(work, { recursive: true, force: true });
        try {
            rmdirSync(dirname(work)); // only once empty: another run may still use it
        } catch {
            /* not empty, or already gone */
        }
    }
    writeFileSync(request.result, JSON.stringify(result, null, 2));
}

if (require.main === module) {
    main().then(
        () => process.exit(0),
        (err: unknown) => {
            process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
            process.exit(1);
        },
    );
}
