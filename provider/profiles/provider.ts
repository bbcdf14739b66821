import type * as pulumi from "@pulumi/pulumi";
import type * as Host from "./host";
import type * as SettingsHost from "../enterprise/host";
import { ENROLLMENT_SETTINGS_NAME } from "../enterprise/names";

/**
 * The package entry every `__provider` text requires. It is the package's stable entry for this (its `exports`
 * map): every stack's state holds the text, so it must resolve in every later version. States written by 0.1.0 hold
 * the older path `pulumi-intune-enrollment/dist/provider/profiles/host`, which the exports map keeps working too.
 */
export const HOST_ENTRY = "pulumi-intune-enrollment/host";

/**
 * The text Pulumi stores in every profile resource's `__provider` (twice: with its inputs and with its outputs) and
 * the dynamic-provider host loads with require-from-string: a module whose `handler()` returns the provider. Written
 * here rather than produced by serializing a provider object: a serialized object carries a wrapper per method
 * (about 3 KB per resource, twice), and the engine rewrites the whole checkpoint after every step, so each byte of
 * an entry is paid once per profile per step. It names only the type; no client, credential or setting is ever in
 * it, it is the same from run to run, and the host resolves the package from the program's folder, so every run
 * uses the installed code.
 */
export function providerText(kindName: string): string {
    return `exports.handler = () => require(${JSON.stringify(HOST_ENTRY)}).provider(${JSON.stringify(kindName)});\n`;
}

const providers = new Map<string, pulumi.dynamic.ResourceProvider>();

/**
 * The dynamic provider of a profile type, one object per type in a process: what the host gets from `providerText`
 * (through `provider` in host.ts), and what the package exports as `providers` for programs and tests that drive
 * the lifecycle directly.
 */
export function dynamicProvider(kindName: string): pulumi.dynamic.ResourceProvider {
    let found = providers.get(kindName);
    if (!found) providers.set(kindName, (found = providerOf(kindName)));
    return found;
}

function providerOf(kindName: string): pulumi.dynamic.ResourceProvider {
    // Loaded on first use: host.ts loads this module, and the program's process never needs the host's.
    const host = (): typeof Host => require("./host") as typeof Host;
    if (kindName === ENROLLMENT_SETTINGS_NAME) {
        const settings = (): typeof SettingsHost => require("../enterprise/host") as typeof SettingsHost;
        return {
            async configure(req) {
                host().configure(req.config);
            },
            check: (olds, news) => settings().check(olds, news),
            diff: (_id, olds, news) => settings().diff(olds, news),
            create: (inputs) => settings().create(inputs),
            read: (id, props) => settings().read(id, props),
            update: (id, olds, news) => settings().update(id, olds, news),
            delete: (id, props) => settings().remove(id, props),
        };
    }
    return {
        async configure(req) {
            host().configure(req.config);
        },
        check: (olds, news) => host().check(kindName, olds, news),
        diff: (id, olds, news) => host().diff(kindName, id, olds, news),
        create: (inputs) => host().create(kindName, inputs),
        read: (id, props) => host().read(kindName, id, props),
        update: (id, olds, news) => host().update(kindName, id, olds, news),
        delete: (id, props) => host().remove(kindName, id, props),
    };
}
