import { sharedClient } from "../graph/client";
import { GraphRequestError } from "../graph/errors";
import { configure as configureSettings, ConfigReader, providerSettings } from "../runtime/configuration";
import { createProfile, deleteProfile, ProfileContext, readProfile, updateProfile } from "./crud";
import { diffProfile } from "./diff";
import { kindNamed } from "./kinds";
import { Props } from "./model";
import { checkInputs } from "./validate";

/**
 * What the serialized dynamic provider calls. It is required by package name inside each provider method, so the
 * state holds only a few lines per resource and every run uses the installed code's implementation.
 */

export function configure(config: ConfigReader): void {
    configureSettings(config);
}

async function context(): Promise<ProfileContext> {
    const settings = await providerSettings();
    return { settings, client: sharedClient(settings), now: Date.now };
}

export async function check(kindName: string, olds: Props, news: Props): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }> {
    const kind = kindNamed(kindName);
    const settings = await providerSettings();
    const { inputs, failures } = checkInputs(kind, olds ?? {}, news, settings);
    return { inputs: { ...inputs, __provider: news.__provider }, failures };
}

export async function diff(kindName: string, _id: string, olds: Props, news: Props): Promise<{ changes: boolean; replaces: string[]; deleteBeforeReplace: boolean }> {
    const { changes, replaces } = diffProfile(kindNamed(kindName), olds, news, Date.now());
    return { changes, replaces, deleteBeforeReplace: false };
}

export async function create(kindName: string, inputs: Props): Promise<{ id: string; outs: Props }> {
    return createProfile(kindNamed(kindName), await context(), inputs);
}

export async function read(kindName: string, id: string, props: Props): Promise<{ id: string; props: Props; inputs: Props }> {
    const result = await readProfile(kindNamed(kindName), await context(), id, props ?? {});
    // An empty id tells the engine the resource is gone.
    return { id: result.id ?? "", props: result.props, inputs: result.inputs };
}

export async function update(kindName: string, id: string, olds: Props, news: Props): Promise<{ outs: Props }> {
    return { outs: await updateProfile(kindNamed(kindName), await context(), id, olds, news) };
}

export async function remove(kindName: string, id: string, props: Props): Promise<void> {
    try {
        await deleteProfile(kindNamed(kindName), await context(), id, props);
    } catch (err) {
        if (err instanceof GraphRequestError && err.isNotFound) return;
        throw err;
    }
}
