import type * as pulumi from "@pulumi/pulumi";
import type * as Calls from "./calls";

const providers = new Map<string, pulumi.dynamic.ResourceProvider>();

/**
 * The dynamic provider of a type, one object per type in a process: what the host gets from `providerText` (through
 * `provider` in host.ts), and what the package exports as `providers` for programs and tests that drive the
 * lifecycle directly.
 */
export function dynamicProvider(typeName: string): pulumi.dynamic.ResourceProvider {
    let found = providers.get(typeName);
    if (!found) providers.set(typeName, (found = providerOf(typeName)));
    return found;
}

function providerOf(typeName: string): pulumi.dynamic.ResourceProvider {
    // Loaded on first call: a program's process builds these objects and never needs the lifecycle behind them.
    const calls = (): typeof Calls => require("./calls") as typeof Calls;
    return {
        async configure(req) {
            calls().configure(req.config);
        },
        check: (olds, news) => calls().check(typeName, olds, news),
        diff: (id, olds, news) => calls().diff(typeName, id, olds, news),
        create: (inputs) => calls().create(typeName, inputs),
        read: (id, props) => calls().read(typeName, id, props),
        update: (id, olds, news) => calls().update(typeName, id, olds, news),
        delete: (id, props) => calls().remove(typeName, id, props),
    };
}
