import { KINDS } from "../profiles/kinds";
import { ProfileKind } from "../profiles/kind";
import { isSamePlace, Place, recordedPlace } from "../profiles/binding";
import { typeNameOf } from "../typeTokens";

/**
 * Which of the tenant's profiles no resource of a stack owns. Pure: the stack's exported state and the tenant's
 * profiles come in as data, so the rules can be tested without a stack or a service.
 *
 * A run killed between Graph's answer to a create and the engine's checkpoint leaves the profile in the tenant and
 * only a pending "creating" operation, without an id, in the state; Pulumi cannot import pending creates of dynamic
 * resources, and the next `pulumi up` creates the profile again. Those profiles are what this finds.
 */

/** The kind a resource of the state is, declared in either form (a dynamic resource, or the plugin's, imported ones too). */
function kindOfType(type: unknown): ProfileKind | undefined {
    const typeName = typeNameOf(type);
    return Object.values(KINDS).find((k) => k.typeName === typeName);
}

/** A profile resource the state records with its id. */
export interface ManagedProfile {
    kind: string;
    urn: string;
    /** The resource's name in the program (the last part of the URN). */
    name: string;
    id: string;
    /** Absent when the state holds it as a secret. */
    displayName?: string;
    /** The tenant and Graph root its outputs record; absent in states written by 0.1.0. */
    place?: Place;
}

/** An operation a killed run left unfinished: for a create, the profile may exist without the state knowing its id. */
export interface PendingProfileOperation {
    kind: string;
    urn: string;
    name: string;
    /** creating, updating, deleting, reading, importing. */
    operation: string;
    id?: string;
    displayName?: string;
}

export interface StackProfiles {
    managed: ManagedProfile[];
    pending: PendingProfileOperation[];
}

export class StateFormatError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StateFormatError";
    }
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const plainString = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

export function resourceName(urn: string): string {
    return urn.slice(urn.lastIndexOf("::") + 2);
}

const placeOf = (outputs: Json): { place?: Place } => {
    const place = recordedPlace(outputs);
    return place ? { place } : {};
};

/**
 * The profile resources and pending operations of `pulumi stack export` output (version 3 deployments). Secret
 * values stay encrypted: ids, types, URNs, plain displayNames and the pending operations are all readable without.
 */
export function profilesInState(exported: unknown): StackProfiles {
    const deployment = isObject(exported) && isObject(exported.deployment) ? exported.deployment : undefined;
    if (!deployment) throw new StateFormatError("not the output of `pulumi stack export` (no `deployment` object)");
    const resources = deployment.resources ?? [];
    const operations = deployment.pending_operations ?? [];
    if (!Array.isArray(resources) || !Array.isArray(operations))
        throw new StateFormatError("`deployment.resources` and `deployment.pending_operations` must be lists");

    const managed: ManagedProfile[] = [];
    for (const r of resources) {
        const kind = isObject(r) ? kindOfType(r.type) : undefined;
        const id = isObject(r) ? plainString(r.id) : undefined;
        if (!kind || !id || !isObject(r) || typeof r.urn !== "string") continue;
        const outputs = isObject(r.outputs) ? r.outputs : {};
        const inputs = isObject(r.inputs) ? r.inputs : {};
        managed.push({
            kind: kind.name,
            urn: r.urn,
            name: resourceName(r.urn),
            id,
            displayName: plainString(outputs.displayName) ?? plainString(inputs.displayName),
            ...placeOf(outputs),
        });
    }

    const pending: PendingProfileOperation[] = [];
    for (const op of operations) {
        const r = isObject(op) && isObject(op.resource) ? op.resource : undefined;
        const kind = r ? kindOfType(r.type) : undefined;
        if (!r || !kind || typeof r.urn !== "string") continue;
        const inputs = isObject(r.inputs) ? r.inputs : {};
        const outputs = isObject(r.outputs) ? r.outputs : {};
        pending.push({
            kind: kind.name,
            urn: r.urn,
            name: resourceName(r.urn),
            operation: String((op as Json).type ?? "unknown"),
            id: plainString(r.id),
            displayName: plainString(inputs.displayName) ?? plainString(outputs.displayName),
        });
    }
    return { managed, pending };
}

/**
 * The stack's profiles recorded in another tenant or at another Graph root than `current`: the tenant listed is then
 * not the stack's, and each of its profiles would look like an orphan of it (a same-named one, a "marked" one).
 */
export function recordedElsewhere(stack: StackProfiles, current: Place): ManagedProfile[] {
    return stack.managed.filter((m) => m.place !== undefined && !isSamePlace(m.place, current));
}

/** A profile as listed from the tenant (no token values: only whether one was ever issued). */
export interface TenantProfile {
    kind: string;
    id: string;
    displayName: string;
    createdDateTime?: string;
    /** Built-in profiles (an undocumented enrollment mode) are never the provider's, so never orphans. */
    manageable: boolean;
    /** It may hold a token that still enrolls devices: revoked before the delete. */
    tokenIssued: boolean;
    /** What decides whether its token expires (mode and token type), for tolerating a refused revoke. */
    tokenRuleInputs?: Record<string, unknown>;
}

export interface Orphan {
    profile: TenantProfile;
    /** Resources of the stack that manage another profile of this type with the same displayName. */
    sameNameAs: { name: string; urn: string; id: string }[];
    /** The pending create of an interrupted run with this type and displayName: most likely the one that made it. */
    pendingCreate?: { name: string; urn: string };
    /**
     * Made by a run the state shows as interrupted: it has that run's pending create's type and displayName. (The
     * engine stamps a resource's times only once its create returns, so a pending create carries no start time.)
     */
    createdDuringInterruptedRun: boolean;
    /** The resource `adoptExistingId` belongs on: the pending create's, while the state has no profile for it. */
    adoptInto?: { name: string; urn: string };
}

/**
 * The tenant's profiles, of the given kinds, that no resource of the stack owns (by id, including resources in the
 * middle of an unfinished update or delete), each with what ties it to the stack.
 */
export function findOrphans(stack: StackProfiles, tenant: readonly TenantProfile[], kinds: readonly string[] = Object.keys(KINDS)): Orphan[] {
    // A pending create owns nothing, even with an id: the engine points the pending operation at the state the
    // create fills in, so a checkpoint saved after the profile was made but before the step ended carries its id;
    // a killed run leaves it so, and clearing the pending create drops the profile from the state. That id says
    // which profile the create made, for the tie below.
    const owned = new Set<string>([
        ...stack.managed.map((m) => `${m.kind}/${m.id}`),
        ...stack.pending.filter((p) => p.id && p.operation !== "creating").map((p) => `${p.kind}/${p.id}`),
    ]);
    const creates = stack.pending.filter((p) => p.operation === "creating");
    const managedUrns = new Set(stack.managed.map((m) => m.urn));

    const orphans: Orphan[] = [];
    for (const profile of tenant) {
        if (!kinds.includes(profile.kind) || !profile.manageable || owned.has(`${profile.kind}/${profile.id}`)) continue;
        const sameNameAs = stack.managed
            .filter((m) => m.kind === profile.kind && m.displayName === profile.displayName)
            .map((m) => ({ name: m.name, urn: m.urn, id: m.id }));
        const pending =
            creates.find((p) => p.kind === profile.kind && p.id === profile.id) ??
            creates.find((p) => p.kind === profile.kind && !p.id && p.displayName === profile.displayName);
        const pendingCreate = pending && { name: pending.name, urn: pending.urn };
        // adoptExistingId counts only when a resource is created: a resource that already owns a profile ignores it.
        const adoptInto = pendingCreate && !managedUrns.has(pendingCreate.urn) ? pendingCreate : undefined;
        orphans.push({ profile, sameNameAs, pendingCreate, createdDuringInterruptedRun: pendingCreate !== undefined, adoptInto });
    }
    return orphans.sort(
        (a, b) =>
            a.profile.kind.localeCompare(b.profile.kind) ||
            a.profile.displayName.localeCompare(b.profile.displayName) ||
            a.profile.id.localeCompare(b.profile.id),
    );
}

/** Whether anything ties an orphan to the stack (as opposed to a profile made in the portal or by another stack). */
export function isMarked(orphan: Orphan): boolean {
    return orphan.sameNameAs.length > 0 || orphan.createdDuringInterruptedRun;
}

/** The line of Pulumi code that adopts the orphan, on the resource it belongs to or on a new one. */
export function adoptionLine(orphan: Orphan): string {
    const kind = KINDS[orphan.profile.kind];
    const setting = `adoptExistingId: ${JSON.stringify(orphan.profile.id)}`;
    if (orphan.adoptInto) return `${setting}  on resource "${orphan.adoptInto.name}" (${kind.typeName})`;
    return `new ${kind.typeName}("<name>", { displayName: ${JSON.stringify(orphan.profile.displayName)}, ..., ${setting} })`;
}

/**
 * The orphans named by id (`--id`), so that some can be adopted and the rest deleted in one go. An id that is not an
 * orphan is a problem, never silently skipped: one the stack owns must not be deleted by a slip of the keyboard.
 */
export function orphansNamed(orphans: readonly Orphan[], stack: StackProfiles, ids: readonly string[]): { selected: Orphan[]; problems: string[] } {
    const selected: Orphan[] = [];
    const problems: string[] = [];
    for (const id of ids) {
        const wanted = id.toLowerCase();
        const orphan = orphans.find((o) => o.profile.id.toLowerCase() === wanted);
        if (orphan) {
            if (!selected.includes(orphan)) selected.push(orphan);
            continue;
        }
        const owner = [...stack.managed, ...stack.pending].find((r) => r.id?.toLowerCase() === wanted);
        problems.push(
            owner
                ? `${id} belongs to resource "${owner.name}" of the stack (${KINDS[owner.kind].typeName}): it is not an orphan`
                : `${id} is not among the orphans found (not in the tenant, of another --type, or a built-in profile)`,
        );
    }
    return { selected, problems };
}
