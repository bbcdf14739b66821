import { sharedClient } from "../graph/client";
import { GraphRequestError } from "../graph/errors";
import "../runtime/engineWatch";
import { configure as configureSettings, ConfigReader, providerSettings } from "../runtime/configuration";
import { engineLog } from "../runtime/engineLog";
import { quietReportedErrors } from "../runtime/quietReportedErrors";
import { createProfile, deleteProfile, ProfileContext, readProfile, updateProfile } from "./crud";
import { diffProfile } from "./diff";
import { kindNamed } from "./kinds";
import { Props } from "./model";
import { checkInputs } from "./validate";

/**
 * What the serialized dynamic provider calls. It is required by package name inside each provider method, so the
 * state holds only a few lines per resource and every run uses the installed code's implementation.
 */

// This module is loaded by the dynamic-provider host: from here on its print of reported errors is dropped.
quietReportedErrors();

export function configure(config: ConfigReader): void {
    configureSettings(config);
}

async function context(): Promise<ProfileContext> {
    const settings = await providerSettings();
    const client = sharedClient(settings);
    return { settings, client, now: () => client.serviceNow() };
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
    const kind = kindNamed(kindName);
    const settings = await providerSettings();
    const { inputs, failures } = checkInputs(kind, olds ?? {}, news, settings);
    return { inputs: { ...inputs, __provider: news.__provider }, failures };
}

export async function diff(kindName: string, _id: string, olds: Props, news: Props): Promise<{ changes: boolean; replaces: string[]; deleteBeforeReplace: boolean }> {
    const offsetMs = typeof olds[CLOCK_OFFSET] === "number" ? olds[CLOCK_OFFSET] * 1000 : 0;
    const kind = kindNamed(kindName);
    const { changes, replaces, tokenReason } = diffProfile(kind, olds, news, Date.now() + offsetMs);
    // A dynamic provider's diff cannot carry a per-property detail, so the engine shows a bare "update" for a renewal.
    // A line on stderr is shown by the engine with the preview (and the update): the one place to say why.
    if (tokenReason && replaces.length === 0) {
        const name = typeof news.displayName === "string" ? news.displayName : typeof olds.displayName === "string" ? olds.displayName : "?";
        engineLog("info", `intune: ${kind.label} "${name}": a new enrollment token will be issued because ${tokenReason}`);
    }
    return { changes, replaces, deleteBeforeReplace: false };
}

export async function create(kindName: string, inputs: Props): Promise<{ id: string; outs: Props }> {
    const ctx = await context();
    const created = await createProfile(kindNamed(kindName), ctx, inputs);
    return { id: created.id, outs: withServiceClock(created.outs, ctx) };
}

export async function read(kindName: string, id: string, props: Props): Promise<{ id: string; props: Props; inputs: Props }> {
    const ctx = await context();
    const result = await readProfile(kindNamed(kindName), ctx, id, props ?? {});
    // An empty id tells the engine the resource is gone.
    return { id: result.id ?? "", props: result.id ? withServiceClock(result.props, ctx) : result.props, inputs: result.inputs };
}

export async function update(kindName: string, id: string, olds: Props, news: Props): Promise<{ outs: Props }> {
    const ctx = await context();
    return { outs: withServiceClock(await updateProfile(kindNamed(kindName), ctx, id, olds, news), ctx) };
}

export async function remove(kindName: string, id: string, props: Props): Promise<void> {
    try {
        await deleteProfile(kindNamed(kindName), await context(), id, props);
    } catch (err) {
        if (err instanceof GraphRequestError && err.isNotFound) return;
        throw err;
    }
}
