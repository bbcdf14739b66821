import * as automation from "@pulumi/pulumi/automation";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { RunningEmulator } from "../../emulator";
import { automationEnvVars, ensurePulumi, pulumiEnvironment, REPO_ROOT, run } from "../../scripts/localPulumi";

/**
 * The real Pulumi engine against the emulator: the pinned CLI, an offline file:// backend, and stack config that
 * points the provider at the emulator. Programs are inline (run in this process) and swapped between runs; the
 * work folder sits inside the repository so the engine's provider host resolves this package and @pulumi/pulumi.
 */

export const E2E_ROOT = join(REPO_ROOT, ".pulumi-local", "e2e");

export interface EngineStack {
    stack: automation.Stack;
    project: string;
    workDir: string;
    /** The program the next operation runs. */
    program: automation.PulumiFn;
    outputLog: string[];
}

let binDir: string | undefined;

export async function engineStack(
    emulator: RunningEmulator,
    project: string,
    stackName = "e2e",
    extraConfig: Record<string, string> = {},
): Promise<EngineStack> {
    binDir ??= await ensurePulumi(() => undefined);
    const workDir = join(E2E_ROOT, project);
    rmSync(workDir, { recursive: true, force: true });
    mkdirSync(workDir, { recursive: true });
    const env = pulumiEnvironment(binDir, join(E2E_ROOT, "backend"));
    // The CLI is found on PATH; the rest reaches every CLI call through envVars.
    process.env.PATH = env.PATH;
    const envVars: Record<string, string> = {};
    Object.assign(envVars, automationEnvVars(env));
    const holder: EngineStack = { stack: undefined as unknown as automation.Stack, project, workDir, program: async () => undefined, outputLog: [] };
    const stack = await automation.LocalWorkspace.createOrSelectStack(
        { stackName, projectName: project, program: async () => holder.program() },
        { workDir, envVars, projectSettings: { name: project, runtime: "nodejs", backend: { url: env.PULUMI_BACKEND_URL! } } },
    );
    await stack.setAllConfig({
        "intune:tenantId": { value: emulator.tenantId },
        "intune:clientId": { value: emulator.defaultApp.clientId },
        "intune:clientSecret": { value: emulator.defaultApp.secret, secret: true },
        "intune:graphEndpoint": { value: emulator.graphUrl },
        "intune:authorityHost": { value: emulator.authorityHost },
        "intune:caCertificatePath": { value: emulator.caPath },
        ...Object.fromEntries(Object.entries(extraConfig).map(([k, v]) => [k, { value: v }])),
    });
    holder.stack = stack;
    return holder;
}

/** `pulumi stack export` as a user runs it (the Automation API's exportStack decrypts secrets), and the checkpoint on disk. */
export async function exportedState(s: EngineStack): Promise<{ exported: string; checkpoint: string }> {
    const env = pulumiEnvironment(binDir!, join(E2E_ROOT, "backend"));
    const { stdout } = await run("pulumi", ["stack", "export", "--stack", s.stack.name], { cwd: s.workDir, env });
    const checkpoint = readFileSync(join(E2E_ROOT, "backend", "state", ".pulumi", "stacks", s.project, `${s.stack.name}.json`), "utf8");
    return { exported: stdout, checkpoint };
}

export const log = (s: EngineStack) => ({ onOutput: (line: string) => s.outputLog.push(line) });

/** Every profile the emulator holds, of both types. */
export function allProfiles(emulator: RunningEmulator): Record<string, unknown>[] {
    return [...emulator.profiles("androidDeviceOwnerEnrollmentProfiles"), ...emulator.profiles("androidForWorkEnrollmentProfiles")];
}

export async function destroyAndRemove(s: EngineStack | undefined): Promise<void> {
    if (!s) return;
    await s.stack.destroy({ onOutput: () => undefined }).catch(() => undefined);
    await s.stack.workspace.removeStack(s.stack.name, { force: true }).catch(() => undefined);
}

/** Everything the engine printed for an operation that must fail, stdout and stderr. */
export async function failureOf(run: Promise<unknown>): Promise<string> {
    try {
        await run;
    } catch (err) {
        if (err instanceof automation.CommandError) return String(err);
        throw err;
    }
    throw new Error("expected the operation to fail");
}
