import { ReportedError } from "../graph/errors";
import { isTenantId } from "../graph/tenantId";
import { Props } from "./model";

/**
 * Where a profile lives: the Entra ID tenant and the Graph root it was created in, kept as plain outputs. A read,
 * update or delete made with settings that point elsewhere must never conclude "not found, so gone" (a refresh
 * would drop real profiles from the stack and leave their tokens alive), so it fails and changes nothing. Moving a
 * stack on purpose is one explicit setting, `intune:moveFrom`.
 */

export interface Place {
    /** Lower-case tenant id; undefined when neither the settings nor the access token tell it. */
    tenantId?: string;
    /**
     * The tenant as the settings name it, when that is a domain (contoso.onmicrosoft.com) rather than an id: states
     * written before the access token's tenant id decided recorded that name, and it still names this place.
     */
    tenantName?: string;
    /** The Graph root; a loopback emulator's port is left out (it changes from run to run, the emulator does not). */
    graphRoot: string;
}

/** The outputs that record where a resource lives, with what each says. */
export const BINDING_OUTPUTS = {
    tenantId: "The Entra ID tenant the resource lives in (lower case). Reads, updates and deletes configured for another tenant are refused.",
    graphRoot: "The Graph root the resource lives at (a local emulator without its port).",
} as const;

/** What `intune:moveFrom` says to leave behind: a tenant id, or `emulator` for every local emulator. */
export type MoveFrom = { tenantId: string } | { emulator: true };

export function parseMoveFrom(value: string | undefined): MoveFrom | undefined {
    if (value === undefined || value.trim() === "") return undefined;
    return value.trim().toLowerCase() === "emulator" ? { emulator: true } : { tenantId: value.trim().toLowerCase() };
}

const LOOPBACK = /^https:\/\/(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/i;

export function normalGraphRoot(root: string): string {
    const trimmed = root.replace(/\/+$/, "").toLowerCase();
    return LOOPBACK.test(trimmed) ? trimmed.replace(/:\d+$/, "") : trimmed;
}

export function isEmulatorRoot(root: string): boolean {
    return LOOPBACK.test(root.replace(/\/+$/, ""));
}

/** `configuredTenant`: the settings' tenant, kept as the place's name when it is a domain. */
export function placeNow(tenantId: string | undefined, graphRoot: string, configuredTenant?: string): Place {
    const place: Place = { tenantId: tenantId?.toLowerCase(), graphRoot: normalGraphRoot(graphRoot) };
    if (configuredTenant !== undefined && !isTenantId(configuredTenant)) place.tenantName = configuredTenant.toLowerCase();
    return place;
}

/** The place recorded in a profile's state; undefined for states written before binding existed (0.1.0). */
export function recordedPlace(props: Props): Place | undefined {
    if (typeof props.graphRoot !== "string") return undefined;
    return { tenantId: typeof props.tenantId === "string" ? props.tenantId : undefined, graphRoot: props.graphRoot };
}

export function withPlace(outs: Props, place: Place): Props {
    const out: Props = { ...outs, graphRoot: place.graphRoot };
    if (place.tenantId !== undefined) out.tenantId = place.tenantId;
    return out;
}

export const describePlace = (p: Place): string => `tenant ${p.tenantId ?? "(unknown)"} at ${p.graphRoot}`;

/** Whether a recorded place is the current one: the same Graph root, and the same tenant where both are known. */
export function isSamePlace(recorded: Place, current: Place): boolean {
    const sameRoot = normalGraphRoot(recorded.graphRoot) === current.graphRoot;
    const recordedTenant = recorded.tenantId?.toLowerCase();
    const sameTenant =
        recordedTenant === undefined || current.tenantId === undefined || recordedTenant === current.tenantId || recordedTenant === current.tenantName;
    return sameRoot && sameTenant;
}

export class WrongPlaceError extends ReportedError {
    constructor(what: string, recorded: Place, current: Place) {
        super(
            `${what} refused: the profile lives in ${describePlace(recorded)}, but this run is configured for ${describePlace(current)}. ` +
                "Nothing was changed. Check the stack's intune:* settings and the AZURE_* variables of this run; to move the stack on purpose, " +
                `set intune:moveFrom to ${recorded.graphRoot.startsWith("https://127.") || recorded.graphRoot.startsWith("https://localhost") ? '"emulator"' : `"${recorded.tenantId ?? recorded.graphRoot}"`} ` +
                'and run `pulumi refresh`, then `pulumi up` (see "Moving a stack on purpose" in docs/installation-configuration.md)',
        );
        this.name = "WrongPlaceError";
    }
}

/**
 * Whether the operation may go ahead here: "here" (same place, or no place recorded yet), "left behind" (the profile
 * is in the place intune:moveFrom names: a read forgets it, a delete leaves it), or a WrongPlaceError.
 */
export function judgePlace(what: string, recorded: Place | undefined, current: Place, moveFrom: MoveFrom | undefined): "here" | "left behind" {
    if (!recorded || isSamePlace(recorded, current)) return "here";
    if (moveFrom) {
        const named = "emulator" in moveFrom ? isEmulatorRoot(recorded.graphRoot) : recorded.tenantId === moveFrom.tenantId;
        if (named) return "left behind";
    }
    throw new WrongPlaceError(what, recorded, current);
}
