import { GraphRequestError } from "../graph/errors";
import "../runtime/engineWatch";
import { configure as configureSettings, ConfigReader, providerSettings } from "../runtime/configuration";
import { engineLog } from "../runtime/engineLog";
import { quietReportedErrors } from "../runtime/quietReportedErrors";
import { explainStoredSettings, programIsRunning } from "./storedSettings";
import { judgePlace, parseMoveFrom, Place, placeNow, recordedPlace, withPlace } from "./binding";
import {
    decodeInputs,
    createProfile,
    deleteProfile,
    ProfileContext,
    profileContext,
    ProfileCreatedButFailed,
    ProfileError,
    readProfile,
    updateProfile,
} from "./crud";
import { diffProfile } from "./diff";
import { kindNamed } from "./kinds";
import { ProfileKind, Props, RESOURCE_URN } from "./model";
import { readinessWarnings } from "./readiness";
import { dynamicProvider } from "./provider";
import { undeclaredChangeNotice } from "./undeclaredChanges";
import { checkInputs } from "./validate";
import { ENROLLMENT_SETTINGS_NAME } from "../enterprise/names";
import type * as pulumi from "@pulumi/pulumi";

/**
 * What the `__provider` text in every profile's state calls, by package name (`pulumi-intune-enrollment/host`), so
 * every run uses the installed code's implementation. `provider` is what texts written since 0.2.0 call; the
 * functions below it are what 0.1.0's serialized provider objects call by name: both stay.
 */

// This module is loaded by the dynamic-provider host: from here on its print of reported errors is dropped.
quietReportedErrors();

/** The dynamic provider of a profile type (the same object the package exports in `providers`). */
export function provider(kindName: string): pulumi.dynamic.ResourceProvider {
    if (kindName !== ENROLLMENT_SETTINGS_NAME) kindNamed(kindName); // an unknown type fails here, with the types this version knows
    return dynamicProvider(kindName);
}

export function configure(config: ConfigReader): void {
    configureSettings(config);
}

async function context(): Promise<ProfileContext> {
    return profileContext(await providerSettings());
}

/**
 * The service's clock offset, kept in state so that diff (which does no I/O) judges token expiry by the clock the
 * token expires by. Absent when the clocks agree, so ordinary state carries nothing extra.
 */
const CLOCK_OFFSET = "serviceClockOffsetSeconds";

function withServiceClock(outs: Props, ctx: ProfileContext): Props {
    const seconds = Math.round(ctx.client.serviceClockOffsetMs / 1000);
    if (seconds !== 0) outs[CLOCK_OFFSET] = seconds;
    else delete outs[CLOCK_OFFSET];
    return outs;
}

export async function check(kindName: string, olds: Props, news: Props): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }> {
    programIsRunning();
    const kind = kindNamed(kindName);
    const settings = await providerSettings();
    const { inputs, failures } = checkInputs(kind, olds ?? {}, news, settings);
    const urn = typeof news[RESOURCE_URN] === "string" ? { [RESOURCE_URN]: news[RESOURCE_URN] } : {};
    // A new profile (no old inputs): a preview shows here whether its devices will be able to enroll. An existing
    // one is judged by diff, and only when it changes: a preview with no change makes no Graph call.
    if (Object.keys(olds ?? {}).length === 0 && failures.length === 0) await warnIfNotReady(kind, profileContext(settings), inputs, urnOf(news));
    return { inputs: { ...inputs, ...urn, __provider: news.__provider }, failures };
}

const urnOf = (props: Props): string | undefined => (typeof props[RESOURCE_URN] === "string" ? props[RESOURCE_URN] : undefined);

/** Warns, on the resource where its URN is known, of what keeps devices from enrolling with this profile. */
async function warnIfNotReady(kind: ProfileKind, ctx: ProfileContext, props: Props, urn: string | undefined): Promise<void> {
    // The engine tells the URN to check, create and update, not to read: the name then stands for the resource.
    const who = urn ?? `${kind.name}/${nameOf(props)}`;
    for (const warning of await readinessWarnings(kind, ctx, props, who)) await engineLog("warning", warning, urn);
}

export async function diff(
    kindName: string,
    _id: string,
    olds: Props,
    news: Props,
): Promise<{ changes: boolean; replaces: string[]; deleteBeforeReplace: boolean }> {
    programIsRunning();
    const offsetMs = typeof olds[CLOCK_OFFSET] === "number" ? olds[CLOCK_OFFSET] * 1000 : 0;
    const kind = kindNamed(kindName);
    const { changes, replaces, tokenReason } = diffProfile(kind, olds, news, Date.now() + offsetMs);
    if (changes) await warnIfNotReady(kind, await context(), news, urnOf(news));
    // A dynamic provider's diff cannot carry a per-property detail, so the engine shows a bare "update" for a renewal.
    // A diagnostic through the engine's log is shown with the preview (and the update): the one place to say why.
    if (tokenReason && replaces.length === 0) {
        const name = typeof news.displayName === "string" ? news.displayName : typeof olds.displayName === "string" ? olds.displayName : "?";
        // A warning: a new token means a new QR code, so devices not yet enrolled need the new one.
        const urn = typeof news[RESOURCE_URN] === "string" ? news[RESOURCE_URN] : undefined;
        await engineLog(
            "warning",
            `intune: ${kind.label} "${name}": a new enrollment token will be issued because ${tokenReason}; devices not yet enrolled need the new QR code`,
            urn,
        );
    }
    return { changes, replaces, deleteBeforeReplace: false };
}

/** Where this run's settings point: the place every profile it creates is bound to. */
async function placeOf(ctx: ProfileContext, what: string): Promise<Place> {
    return placeNow(await ctx.client.tenantId({ description: what, kind: "read" }), ctx.settings.graphRoot);
}

const nameOf = (props: Props): string => (typeof props.displayName === "string" ? props.displayName : "?");

export async function create(kindName: string, inputs: Props): Promise<{ id: string; outs: Props }> {
    const kind = kindNamed(kindName);
    const ctx = await context();
    const creating = `Creating ${kind.label} "${nameOf(inputs)}"`;
    const place = await placeOf(ctx, creating);
    // The engine hands inputs back untyped: decoded once here, the lifecycle works on their types.
    const decoded = decodeInputs(kind, inputs, { description: creating, kind: "write" });
    try {
        const created = await createProfile(kind, ctx, decoded);
        await warnIfNotReady(kind, ctx, decoded, urnOf(inputs));
        return { id: created.id, outs: withPlace(withServiceClock(created.outs, ctx), place) };
    } catch (err) {
        // Pulumi records a half-made profile with these properties: it must be bound like any other.
        if (err instanceof ProfileCreatedButFailed) Object.assign(err.properties, withPlace({}, place));
        throw err;
    }
}

export async function read(kindName: string, id: string, props: Props): Promise<{ id: string; props: Props; inputs: Props }> {
    try {
        return await readWithSettings(kindName, id, props);
    } catch (err) {
        throw explainStoredSettings(err);
    }
}

async function readWithSettings(kindName: string, id: string, props: Props): Promise<{ id: string; props: Props; inputs: Props }> {
    const kind = kindNamed(kindName);
    const ctx = await context();
    const what = `Refreshing ${kind.label} "${nameOf(props ?? {})}" (${id})`;
    const place = await placeOf(ctx, what);
    if (judgePlace(what, recordedPlace(props ?? {}), place, parseMoveFrom(ctx.settings.moveFrom)) === "left behind") {
        await engineLog(
            "warning",
            `intune: ${what}: left where it is (intune:moveFrom) and dropped from the stack; the next \`pulumi up\` creates it in ${place.tenantId ?? place.graphRoot}`,
        );
        return { id: "", props: {}, inputs: {} };
    }
    const result = await readProfile(kind, ctx, id, props ?? {});
    if (result.id) await warnIfNotReady(kind, ctx, result.props, undefined);
    const notices = result.id ? [...result.notices, undeclaredChangeNotice(kind, props ?? {}, result.props)] : [];
    for (const notice of notices) if (notice) await engineLog("warning", notice);
    // An empty id tells the engine the resource is gone; a state written before binding gains it here.
    return { id: result.id ?? "", props: result.id ? withPlace(withServiceClock(result.props, ctx), place) : result.props, inputs: result.inputs };
}

export async function update(kindName: string, id: string, olds: Props, news: Props): Promise<{ outs: Props }> {
    const kind = kindNamed(kindName);
    const ctx = await context();
    const what = `Updating ${kind.label} "${nameOf(news)}" (${id})`;
    const place = await placeOf(ctx, what);
    if (judgePlace(what, recordedPlace(olds), place, parseMoveFrom(ctx.settings.moveFrom)) === "left behind") {
        throw new ProfileError(
            `${what} refused: the profile is in the place intune:moveFrom names; run \`pulumi refresh\` first to drop it from the stack, then \`pulumi up\``,
        );
    }
    const decoded = decodeInputs(kind, news, { description: what, kind: "write" });
    const outs = await updateProfile(kind, ctx, id, olds, decoded);
    await warnIfNotReady(kind, ctx, decoded, urnOf(news));
    return { outs: withPlace(withServiceClock(outs, ctx), place) };
}

export async function remove(kindName: string, id: string, props: Props): Promise<void> {
    try {
        await removeWithSettings(kindName, id, props);
    } catch (err) {
        throw explainStoredSettings(err);
    }
}

async function removeWithSettings(kindName: string, id: string, props: Props): Promise<void> {
    const kind = kindNamed(kindName);
    const ctx = await context();
    const what = `Deleting ${kind.label} "${nameOf(props ?? {})}" (${id})`;
    const place = await placeOf(ctx, what);
    if (judgePlace(what, recordedPlace(props ?? {}), place, parseMoveFrom(ctx.settings.moveFrom)) === "left behind") {
        await engineLog("warning", `intune: ${what}: left where it is (intune:moveFrom); only the stack forgets it`);
        return;
    }
    try {
        await deleteProfile(kind, ctx, id, props);
    } catch (err) {
        if (err instanceof GraphRequestError && err.isNotFound) return;
        throw err;
    }
}
