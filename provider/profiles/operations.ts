import { GraphRequestError } from "../graph/errors";
import { providerSettings } from "../runtime/configuration";
import { engineLog } from "../runtime/engineLog";
import { judgePlace, parseMoveFrom, Place, placeNow, recordedPlace, withPlace } from "./binding";
import { ProfileContext, profileContext } from "./context";
import { createProfile, decodeInputs, deleteProfile, importedProfile, readProfile, updateProfile } from "./crud";
import { diffProfile } from "./diff";
import { ProfileCreatedButFailed, ProfileError } from "./errors";
import { CheckFailure, ProfileKind } from "./kind";
import { Props } from "./model";
import { readinessWarnings } from "./readiness";
import { declaredExpiryPassed } from "./token";
import { explainStoredSettings, programIsRunning } from "./storedSettings";
import { undeclaredChangeNotice } from "./undeclaredChanges";
import { checkInputs } from "./validate";

/**
 * A profile's lifecycle as both front doors serve it (the dynamic resources' host and the provider plugin): check,
 * diff, create, read, import, update and delete of one profile, with the tenant binding, the readiness warnings and
 * the settings of this process's configuration. Plain values in and out: each front door translates its own wire
 * format (the dynamic host's `__provider` and `__urn`, the plugin's secret wrappers) around these calls.
 * `urn`: the resource's URN where the engine tells it, so a warning shows on that resource.
 */

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

const nameOf = (props: Props): string => (typeof props.displayName === "string" ? props.displayName : "?");

/** Warns, on the resource where its URN is known, of what keeps devices from enrolling with this profile. */
async function warnIfNotReady(kind: ProfileKind, ctx: ProfileContext, props: Props, urn: string | undefined): Promise<void> {
    // The engine tells the URN to check, create and update, not to read: the name then stands for the resource.
    const who = urn ?? `${kind.name}/${nameOf(props)}`;
    for (const warning of await readinessWarnings(kind, ctx, props, who)) await engineLog("warning", warning, urn);
}

/** Where this run's settings point: the place every profile it creates is bound to. */
async function placeOf(ctx: ProfileContext, what: string): Promise<Place> {
    return placeNow(await ctx.client.tenantId({ description: what, kind: "read" }), ctx.settings.graphRoot, ctx.settings.tenantId);
}

/** `olds`: the inputs the last run checked (empty for a new profile). */
/** `sentSecret`: properties the program marked secret, whose values no failure may quote. */
export async function checkProfile(
    kind: ProfileKind,
    olds: Props,
    news: Props,
    urn: string | undefined,
    sentSecret: readonly string[] = [],
): Promise<{ inputs: Props; failures: CheckFailure[] }> {
    programIsRunning();
    // The inputs' own errors need no settings: a preview whose stack configuration is missing or wrong names them
    // first, and the settings' error comes once they are right (as it does at once for the valid resources).
    const settings = await providerSettings().then(
        (ok) => ({ ok }),
        (error: unknown) => ({ error }),
    );
    const { inputs, failures } = checkInputs(kind, olds, news, "ok" in settings ? settings.ok : undefined, sentSecret);
    if (failures.length > 0) return { inputs, failures };
    if (!("ok" in settings)) throw settings.error;
    // A new profile (no old inputs): a preview shows here whether its devices will be able to enroll. An existing
    // one is judged by diff, and only when it changes: a preview with no change makes no Graph call.
    if (Object.keys(olds).length === 0) await warnIfNotReady(kind, profileContext(settings.ok), inputs, urn);
    return { inputs, failures };
}

/** `olds`: the outputs the last run stored. No Graph call unless something changes. */
export async function diff(
    kind: ProfileKind,
    olds: Props,
    news: Props,
    urn: string | undefined,
): Promise<{ changes: boolean; replaces: string[]; updates: string[] }> {
    programIsRunning();
    const offsetMs = typeof olds[CLOCK_OFFSET] === "number" ? olds[CLOCK_OFFSET] * 1000 : 0;
    const now = Date.now() + offsetMs;
    const { changes, replaces, updates, tokenReason } = diffProfile(kind, olds, news, now);
    if (changes) await warnIfNotReady(kind, await context(), news, urn);
    const name = typeof news.displayName === "string" ? news.displayName : nameOf(olds);
    const ended = declaredExpiryPassed(news, now);
    if (ended !== undefined) {
        // Not an error, or every pipeline run of the stack would fail the day a campaign's date passes.
        await engineLog(
            "warning",
            `intune: ${kind.label} "${name}": its enrollment token expired on ${new Date(ended).toISOString()}, the tokenExpirationDateTime the program declares; devices cannot enroll with it until a later tokenExpirationDateTime, or a tokenValidityDays, is declared`,
            urn,
        );
    }
    // The engine shows a renewal as a bare "update" of tokenValue at most: a diagnostic is the one place to say why.
    if (tokenReason && replaces.length === 0) {
        // A warning: a new token means a new QR code, so devices not yet enrolled need the new one.
        await engineLog(
            "warning",
            `intune: ${kind.label} "${name}": a new enrollment token will be issued because ${tokenReason}; devices not yet enrolled need the new QR code`,
            urn,
        );
    }
    return { changes, replaces, updates };
}

export async function create(kind: ProfileKind, inputs: Props, urn: string | undefined): Promise<{ id: string; outs: Props }> {
    const ctx = await context();
    const creating = `Creating ${kind.label} "${nameOf(inputs)}"`;
    const place = await placeOf(ctx, creating);
    // The engine hands inputs back untyped: decoded once here, the lifecycle works on their types.
    const decoded = decodeInputs(kind, inputs, { description: creating, kind: "write" });
    try {
        const created = await createProfile(kind, ctx, decoded);
        await warnIfNotReady(kind, ctx, decoded, urn);
        return { id: created.id, outs: withPlace(withServiceClock(created.outs, ctx), place) };
    } catch (err) {
        // The engine records a half-made profile with these properties: it must be bound like any other.
        if (err instanceof ProfileCreatedButFailed) Object.assign(err.properties, withPlace({}, place));
        throw err;
    }
}

/** A refresh: an empty id says the profile is gone (deleted out of band, or left behind by intune:moveFrom). */
export async function read(kind: ProfileKind, id: string, props: Props): Promise<{ id: string; props: Props; inputs: Props }> {
    try {
        return await readWithSettings(kind, id, props);
    } catch (err) {
        throw explainStoredSettings(err);
    }
}

async function readWithSettings(kind: ProfileKind, id: string, props: Props): Promise<{ id: string; props: Props; inputs: Props }> {
    const ctx = await context();
    const what = `Refreshing ${kind.label} "${nameOf(props)}" (${id})`;
    const place = await placeOf(ctx, what);
    if (judgePlace(what, recordedPlace(props), place, parseMoveFrom(ctx.settings.moveFrom)) === "left behind") {
        await engineLog(
            "warning",
            `intune: ${what}: left where it is (intune:moveFrom) and dropped from the stack; the next \`pulumi up\` creates it in ${place.tenantId ?? place.graphRoot}`,
        );
        return { id: "", props: {}, inputs: {} };
    }
    const result = await readProfile(kind, ctx, id, props);
    if (result.id) await warnIfNotReady(kind, ctx, result.props, undefined);
    const notices = result.id ? [...result.notices, undeclaredChangeNotice(kind, props, result.props)] : [];
    for (const notice of notices) if (notice) await engineLog("warning", notice);
    // A state written before binding gains it here.
    return { id: result.id ?? "", props: result.id ? withPlace(withServiceClock(result.props, ctx), place) : result.props, inputs: result.inputs };
}

/**
 * `pulumi import`: a profile known only by its id, taken into the stack as it is. The inputs are what a program
 * would declare to keep it unchanged (its writable properties that differ from the service's defaults), so the code
 * the CLI generates from them runs with no change and no new token. A missing id is an error that says so: the
 * engine would otherwise say only that importing is not supported.
 */
export async function importProfile(kind: ProfileKind, id: string): Promise<{ id: string; props: Props; inputs: Props }> {
    const ctx = await context();
    const what = `Importing ${kind.label} ${id}`;
    const place = await placeOf(ctx, what);
    const imported = await importedProfile(kind, ctx, id, { description: what, kind: "read" });
    if (!imported) throw new ProfileError(`${what} failed: no ${kind.label} has this id in ${place.tenantId ?? place.graphRoot}`);
    return { id, props: withPlace(withServiceClock(imported.props, ctx), place), inputs: imported.inputs };
}

export async function update(kind: ProfileKind, id: string, olds: Props, news: Props, urn: string | undefined): Promise<{ outs: Props }> {
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
    await warnIfNotReady(kind, ctx, decoded, urn);
    return { outs: withPlace(withServiceClock(outs, ctx), place) };
}

export async function remove(kind: ProfileKind, id: string, props: Props): Promise<void> {
    try {
        await removeWithSettings(kind, id, props);
    } catch (err) {
        throw explainStoredSettings(err);
    }
}

async function removeWithSettings(kind: ProfileKind, id: string, props: Props): Promise<void> {
    const ctx = await context();
    const what = `Deleting ${kind.label} "${nameOf(props)}" (${id})`;
    const place = await placeOf(ctx, what);
    if (judgePlace(what, recordedPlace(props), place, parseMoveFrom(ctx.settings.moveFrom)) === "left behind") {
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
