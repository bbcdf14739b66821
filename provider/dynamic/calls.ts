import { configure as configureSettings, ConfigReader } from "../runtime/configuration";
import { ProfileCreatedButFailed } from "../profiles/errors";
import { CheckFailure } from "../profiles/kind";
import { Props, RESOURCE_URN } from "../profiles/model";
import { resourceTypeNamed } from "../resourceTypes";

/**
 * What the dynamic-provider host's calls do, for every type: the lifecycle of resourceTypes.ts, with the dynamic
 * provider's own wire format around it. Its inputs carry `__provider` (the text the host loads the provider from)
 * and `__urn` (the resource's URN, which the host does not pass to diff): both stay in the inputs check returns, and
 * neither reaches the lifecycle. These functions are also what states written by 0.1.0 call by name (host.ts).
 */

const NOT_INPUTS = ["__provider", RESOURCE_URN];

const urnOf = (props: Props): string | undefined => (typeof props[RESOURCE_URN] === "string" ? props[RESOURCE_URN] : undefined);

function withoutWireKeys(props: Props): Props {
    const out: Props = { ...props };
    for (const key of NOT_INPUTS) delete out[key];
    return out;
}

export function configure(config: ConfigReader): void {
    configureSettings(config);
}

export async function check(typeName: string, olds: Props, news: Props): Promise<{ inputs: Props; failures: CheckFailure[] }> {
    const { inputs, failures } = await resourceTypeNamed(typeName).check(withoutWireKeys(olds ?? {}), withoutWireKeys(news), urnOf(news));
    const urn = urnOf(news) !== undefined ? { [RESOURCE_URN]: news[RESOURCE_URN] } : {};
    return { inputs: { ...inputs, ...urn, __provider: news.__provider }, failures };
}

export async function diff(
    typeName: string,
    _id: string,
    olds: Props,
    news: Props,
): Promise<{ changes: boolean; replaces: string[]; deleteBeforeReplace: boolean }> {
    const { changes, replaces } = await resourceTypeNamed(typeName).diff(olds, withoutWireKeys(news), urnOf(news));
    return { changes, replaces, deleteBeforeReplace: false };
}

export async function create(typeName: string, inputs: Props): Promise<{ id: string; outs: Props }> {
    try {
        return await resourceTypeNamed(typeName).create(withoutWireKeys(inputs), urnOf(inputs));
    } catch (err) {
        // The host records a half-made profile with these properties; its later calls need the provider text too.
        if (err instanceof ProfileCreatedButFailed) err.properties.__provider = inputs.__provider;
        throw err;
    }
}

export function read(typeName: string, id: string, props: Props): Promise<{ id: string; props: Props; inputs: Props }> {
    return resourceTypeNamed(typeName).read(id, props ?? {});
}

export async function update(typeName: string, id: string, olds: Props, news: Props): Promise<{ outs: Props }> {
    return resourceTypeNamed(typeName).update(id, olds, withoutWireKeys(news), urnOf(news));
}

export function remove(typeName: string, id: string, props: Props): Promise<void> {
    return resourceTypeNamed(typeName).remove(id, props ?? {});
}
