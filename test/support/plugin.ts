import { cpSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { RunningEmulator } from "../../emulator";
import { ensurePulumi, pulumiEnvironment, REPO_ROOT, run, RunResult } from "../../scripts/localPulumi";
import { E2E_ROOT } from "./e2e";

/**
 * The provider plugin as users get it: the artifact scripts/build-plugin.sh makes, installed with
 * `pulumi plugin install resource intune <version> --file <tarball>` into a PULUMI_HOME of its own, and run by the
 * real engine for YAML programs (the YAML language host built by scripts/ensure-pulumi-yaml.sh) and `pulumi import`.
 */

export const PLUGIN_ROOT = join(E2E_ROOT, "plugin");
export const VERSION = (JSON.parse(readFileSync(join(REPO_ROOT, "package.json"), "utf8")) as { version: string }).version;

let tarball: Promise<string> | undefined;

/** Builds the artifact once per test run, from the built tree (not from the sources the tests run from). */
export function pluginTarball(): Promise<string> {
    tarball ??= run("bash", [join(REPO_ROOT, "scripts", "build-plugin.sh"), join(PLUGIN_ROOT, "artifact")], { cwd: REPO_ROOT }).then((r) =>
        r.stdout.trim().split("\n").pop()!,
    );
    return tarball;
}

async function binDirOf(script: string): Promise<string> {
    const { stdout } = await run("bash", [join(REPO_ROOT, "scripts", script)], { cwd: REPO_ROOT });
    return stdout.trim().split("\n").pop()!;
}

export interface PluginWorld {
    env: NodeJS.ProcessEnv;
    /** Runs the CLI in `cwd` (a project folder); rejects on a non-zero exit unless `allowFailure`. */
    pulumi(args: string[], cwd: string, allowFailure?: boolean): Promise<RunResult>;
}

/** A PULUMI_HOME with the plugin installed from the artifact, the CLI and the YAML host on PATH, an offline backend. */
export async function pluginWorld(name: string): Promise<PluginWorld> {
    const [cliDir, yamlDir, file] = await Promise.all([ensurePulumi(() => undefined), binDirOf("ensure-pulumi-yaml.sh"), pluginTarball()]);
    const workDir = join(PLUGIN_ROOT, name);
    rmSync(workDir, { recursive: true, force: true });
    const env = pulumiEnvironment(cliDir, workDir, { PATH: `${yamlDir}:${cliDir}:${process.env.PATH ?? ""}` });
    const pulumi = (args: string[], cwd: string, allowFailure = false): Promise<RunResult> => run("pulumi", args, { cwd, env, allowFailure });
    await pulumi(["plugin", "install", "resource", "intune", VERSION, "--file", file], workDir);
    return { env, pulumi };
}

/** A copy of a YAML project in the world's folder, with a stack whose intune:* config points at the emulator. */
export async function yamlProject(world: PluginWorld, emulator: RunningEmulator, name: string, source: string): Promise<string> {
    const dir = join(PLUGIN_ROOT, "projects", name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    cpSync(source, dir, { recursive: true, filter: (f) => !/\.intune-emulator|Pulumi\.[^/]+\.yaml$/.test(f) });
    await world.pulumi(["stack", "init", "e2e"], dir);
    const config: [string, string, boolean?][] = [
        ["intune:tenantId", emulator.tenantId],
        ["intune:clientId", emulator.defaultApp.clientId],
        ["intune:clientSecret", emulator.defaultApp.secret, true],
        ["intune:graphEndpoint", emulator.graphUrl],
        ["intune:authorityHost", emulator.authorityHost],
        ["intune:caCertificatePath", emulator.caPath],
    ];
    for (const [key, value, secret] of config) await world.pulumi(["config", "set", ...(secret ? ["--secret"] : []), key, value], dir);
    return dir;
}

/** What a run printed, stdout and stderr. */
export const printed = (r: RunResult): string => `${r.stdout}\n${r.stderr}`;

/** The stack's checkpoint as the engine keeps it (secrets encrypted) and as `pulumi stack export` shows it. */
export async function stackState(world: PluginWorld, dir: string): Promise<{ exported: StackExport; text: string }> {
    const { stdout } = await world.pulumi(["stack", "export"], dir);
    return { exported: JSON.parse(stdout) as StackExport, text: stdout };
}

export interface StackExport {
    deployment: { resources?: { urn: string; type: string; id?: string; inputs?: Record<string, unknown>; outputs?: Record<string, unknown> }[] };
}
