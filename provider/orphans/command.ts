import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { sharedClient } from "../graph/client";
import { scrub } from "../graph/secrets";
import { Environment, ProviderSettings, resolveSettings } from "../runtime/settings";
import { KINDS } from "../profiles/kinds";
import { useEmbeddedEmulator } from "../runtime/configuration";
import { describePlace, placeNow } from "../profiles/binding";
import { adoptionLine, findOrphans, isMarked, Orphan, orphansNamed, profilesInState, recordedElsewhere, StackProfiles } from "./compare";
import { exportStack, stackConfig, StackLocation } from "./stack";
import { deleteOrphan, listTenantProfiles } from "./tenant";

/**
 * `pulumi-intune-enrollment orphans`: the tenant's profiles that no resource of a stack owns, what ties each to the
 * stack, the line that adopts it, and on request their deletion. Exit codes are for pipelines.
 */

export const EXIT_CLEAN = 0;
export const EXIT_ERROR = 1;
export const EXIT_ORPHANS = 3;

export const ORPHANS_USAGE = `Usage: pulumi-intune-enrollment orphans [options]

Lists the Intune enrollment profiles that no resource of a Pulumi stack owns: profiles left by a run that was
killed between Intune's answer and the state update, duplicates created by the next run, and others.

Where the state comes from:
  --cwd DIR          the Pulumi project folder (default: the current folder)
  --stack NAME       the stack (default: the selected one)
  --state FILE       an exported state (\`pulumi stack export > FILE\`) instead of asking the CLI; settings then come
                     from the environment, plus the stack's config when --stack is given
Which profiles:
  --type TYPE        AndroidDeviceOwnerEnrollmentProfile or AndroidForWorkEnrollmentProfile (repeatable; default both)
  --marked           only profiles tied to the stack: named like one of its profiles, or made during an interrupted run
  --id ID            only this orphan (repeatable, or ids separated by commas): adopt some, then delete the others
What to do:
  --delete           revoke each listed profile's token if it can still enroll devices, then delete it (asks first)
  --yes              do not ask
  --json             print one JSON document (for pipelines) instead of text

Sign-in is the provider's: the stack's intune:* config, then the same environment variables.
Exit codes: 0 no orphans (or all deleted), 3 orphans found and not deleted, 1 error.`;

export interface OrphansOptions {
    cwd: string;
    stack?: string;
    stateFile?: string;
    kinds: string[];
    markedOnly: boolean;
    /** Only these orphans (empty: all found). */
    ids: string[];
    delete: boolean;
    yes: boolean;
    json: boolean;
}

export interface CommandIo {
    out(text: string): void;
    err(text: string): void;
    /** Asks a yes/no question; false when nobody can answer. */
    confirm(question: string): Promise<boolean>;
    env: Environment;
}

export class UsageError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "UsageError";
    }
}

function kindFromArgument(value: string): string {
    const wanted = value.toLowerCase().replace(/enrollmentprofile$/, "");
    const kind = Object.values(KINDS).find((k) => [k.name, k.typeName].some((n) => n.toLowerCase().replace(/enrollmentprofile$/, "") === wanted));
    if (!kind)
        throw new UsageError(
            `--type ${value}: use ${Object.values(KINDS)
                .map((k) => k.typeName)
                .join(" or ")}`,
        );
    return kind.name;
}

export function parseOrphansArguments(args: readonly string[], cwd = process.cwd()): OrphansOptions {
    const options: OrphansOptions = { cwd, kinds: [], markedOnly: false, ids: [], delete: false, yes: false, json: false };
    for (let i = 0; i < args.length; i++) {
        const arg = args[i];
        const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)] : [arg, undefined];
        const value = (): string => {
            const v = inline ?? args[++i];
            if (v === undefined || v === "") throw new UsageError(`${flag} needs a value`);
            return v;
        };
        switch (flag) {
            case "--cwd":
                options.cwd = resolve(cwd, value());
                break;
            case "--stack":
            case "-s":
                options.stack = value();
                break;
            case "--state":
                options.stateFile = resolve(cwd, value());
                break;
            case "--type":
                options.kinds.push(kindFromArgument(value()));
                break;
            case "--marked":
                options.markedOnly = true;
                break;
            case "--id":
                for (const id of value()
                    .split(",")
                    .map((v) => v.trim())
                    .filter(Boolean)) {
                    if (!/^[0-9a-fA-F-]{36}$/.test(id)) throw new UsageError(`--id ${id}: not a profile id (GUID)`);
                    options.ids.push(id);
                }
                break;
            case "--delete":
                options.delete = true;
                break;
            case "--yes":
            case "-y":
                options.yes = true;
                break;
            case "--json":
                options.json = true;
                break;
            default:
                throw new UsageError(`unknown option ${arg}`);
        }
    }
    if (options.kinds.length === 0) options.kinds = Object.keys(KINDS);
    return options;
}

async function readStackProfiles(options: OrphansOptions, location: StackLocation): Promise<StackProfiles> {
    if (options.stateFile) {
        let text: string;
        try {
            text = readFileSync(options.stateFile, "utf8");
        } catch (err) {
            throw new UsageError(`--state ${options.stateFile}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
        }
        try {
            return profilesInState(JSON.parse(text));
        } catch (err) {
            throw new UsageError(`--state ${options.stateFile}: ${err instanceof SyntaxError ? "not JSON" : (err as Error).message}`);
        }
    }
    return profilesInState(await exportStack(location));
}

async function settingsFor(options: OrphansOptions, location: StackLocation, io: CommandIo): Promise<ProviderSettings> {
    const config = options.stateFile && !options.stack ? new Map<string, string>() : await stackConfig(location);
    const settings = resolveSettings((key) => config.get(key), io.env, [...config.keys()]);
    if (!settings.useEmbeddedEmulator) return settings;
    // The provider keeps the embedded emulator's profiles beside the Pulumi program: look in the same folder.
    if (!process.env.INTUNE_EMULATOR_DIR) process.env.INTUNE_EMULATOR_DIR = join(options.cwd, ".intune-emulator");
    return useEmbeddedEmulator(settings);
}

interface Outcome {
    deleted: string[];
    failed: { id: string; error: string }[];
}

export async function runOrphans(options: OrphansOptions, io: CommandIo): Promise<number> {
    const location: StackLocation = { cwd: options.cwd, stack: options.stack };
    const stack = await readStackProfiles(options, location);
    const settings = await settingsFor(options, location, io);
    const client = sharedClient(settings);
    const place = placeNow(
        await client.tenantId({ description: "Listing the tenant's enrollment profiles", kind: "read" }),
        settings.graphRoot,
        settings.tenantId,
    );
    const elsewhere = recordedElsewhere(stack, place);
    if (elsewhere.length > 0) {
        // Another tenant's profiles would all look like orphans of this stack, the same-named ones "marked".
        const first = elsewhere[0];
        throw new Error(
            `nothing was done: the stack's profiles live elsewhere (resource "${first.name}" in ${describePlace(first.place!)}${elsewhere.length > 1 ? `, and ${elsewhere.length - 1} more` : ""}), ` +
                `but these settings are for ${describePlace(place)}; run the command with the settings the stack's pipeline uses`,
        );
    }
    const tenant = await listTenantProfiles(client, options.kinds);
    let orphans = findOrphans(stack, tenant, options.kinds).filter((o) => !options.markedOnly || isMarked(o));
    if (options.ids.length > 0) {
        const { selected, problems } = orphansNamed(orphans, stack, options.ids);
        if (problems.length > 0) throw new Error(`nothing was done: ${problems.join("; ")}`);
        orphans = selected;
    }
    const where = { tenantId: place.tenantId ?? null, graphRoot: settings.graphRoot };

    if (!options.json) io.out(textReport(options, stack, tenant.length, where, orphans));
    let outcome: Outcome = { deleted: [], failed: [] };
    if (options.delete && orphans.length > 0) {
        const go = options.yes || (await io.confirm(`Revoke the enrollment tokens of these ${orphans.length} profiles and delete them? [y/N] `));
        if (go) outcome = await deleteAll(client, orphans, options.json ? () => undefined : io.out);
        else if (!options.json) io.out("Nothing deleted.\n");
    }
    if (options.json) io.out(`${JSON.stringify(asJson(options, stack, where, orphans, outcome), null, 2)}\n`);
    if (outcome.failed.length > 0) return EXIT_ERROR;
    return orphans.length > outcome.deleted.length ? EXIT_ORPHANS : EXIT_CLEAN;
}

async function deleteAll(client: ReturnType<typeof sharedClient>, orphans: Orphan[], out: (text: string) => void): Promise<Outcome> {
    const outcome: Outcome = { deleted: [], failed: [] };
    // One at a time, each token revoked before its profile goes; a failure is reported and the others still go.
    for (const orphan of orphans) {
        const label = `${orphan.profile.id} "${orphan.profile.displayName}"`;
        try {
            const result = await deleteOrphan(client, orphan.profile);
            outcome.deleted.push(orphan.profile.id);
            out(result === "deleted" ? `Deleted ${label}\n` : `Already gone: ${label}\n`);
        } catch (err) {
            const message = scrub(err instanceof Error ? err.message : String(err));
            outcome.failed.push({ id: orphan.profile.id, error: message });
            out(`Not deleted: ${label}: ${message}\n`);
        }
    }
    return outcome;
}

function stackLabel(options: OrphansOptions): string {
    if (options.stateFile) return `The state in ${options.stateFile}`;
    return options.stack ? `Stack ${options.stack}` : `The selected stack in ${options.cwd}`;
}

function textReport(
    options: OrphansOptions,
    stack: StackProfiles,
    tenantCount: number,
    where: { tenantId: string | null; graphRoot: string },
    orphans: Orphan[],
): string {
    const lines: string[] = [];
    const creates = stack.pending.filter((p) => p.operation === "creating").length;
    lines.push(
        `${stackLabel(options)}: ${stack.managed.length} profile resources` +
            (stack.pending.length > 0 ? `, ${stack.pending.length} pending operations of an interrupted run (${creates} creates)` : "") +
            ".",
    );
    lines.push(`Tenant ${where.tenantId ?? "(from the token)"} at ${where.graphRoot}: ${tenantCount} profiles.`);
    if (orphans.length === 0) {
        lines.push("", `No profile ${options.markedOnly ? "tied to the stack " : ""}is left without a resource.`);
        return `${lines.join("\n")}\n`;
    }
    lines.push("", `${orphans.length} profiles no resource of the stack owns:`);
    for (const o of orphans) {
        lines.push("", `  ${KINDS[o.profile.kind].typeName} ${o.profile.id}  "${o.profile.displayName}"  created ${o.profile.createdDateTime ?? "(unknown)"}`);
        if (o.pendingCreate) lines.push(`    - made during an interrupted run: the pending create of resource "${o.pendingCreate.name}"`);
        for (const m of o.sameNameAs) lines.push(`    - same displayName as resource "${m.name}", which owns ${m.id}: a duplicate`);
        if (!isMarked(o)) lines.push("    - nothing ties it to this stack: made in the portal or by another stack?");
        lines.push(`    adopt: ${adoptionLine(o)}`);
    }
    if (!options.delete) {
        lines.push(
            "",
            "Adopt a profile by adding the adopt line to its resource and running `pulumi up`; delete the rest (tokens revoked",
            "first) with the same command and --delete. --marked limits both to profiles tied to the stack, --id to the",
            "profiles named.",
        );
    }
    return `${lines.join("\n")}\n`;
}

function asJson(
    options: OrphansOptions,
    stack: StackProfiles,
    where: { tenantId: string | null; graphRoot: string },
    orphans: Orphan[],
    outcome: Outcome,
): unknown {
    return {
        stack: options.stack ?? null,
        stateFile: options.stateFile ?? null,
        ...where,
        managedProfiles: stack.managed.length,
        pendingOperations: stack.pending.map((p) => ({ resource: p.name, urn: p.urn, operation: p.operation, displayName: p.displayName ?? null })),
        orphans: orphans.map((o) => ({
            id: o.profile.id,
            type: KINDS[o.profile.kind].typeName,
            displayName: o.profile.displayName,
            createdDateTime: o.profile.createdDateTime ?? null,
            marked: isMarked(o),
            createdDuringInterruptedRun: o.createdDuringInterruptedRun,
            pendingCreate: o.pendingCreate ?? null,
            sameNameAs: o.sameNameAs,
            adoptInto: o.adoptInto ?? null,
            adopt: adoptionLine(o),
        })),
        deleted: outcome.deleted,
        failed: outcome.failed,
    };
}
