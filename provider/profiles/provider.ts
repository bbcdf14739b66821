import type * as pulumi from "@pulumi/pulumi";

/**
 * The dynamic provider object Pulumi serializes into every resource's `__provider`. It captures only the profile
 * type's name and requires the implementation by package name inside each method: no client, credential or
 * setting is ever captured, the text is a few hundred bytes and the same from run to run.
 *
 * `pulumi-intune-enrollment/host` is the package's stable entry for this (its `exports` map): every stack's state
 * holds the text, so it must resolve in every later version. States written by 0.1.0 hold the older path
 * `pulumi-intune-enrollment/dist/provider/profiles/host`, which the exports map keeps working too.
 */
export function dynamicProvider(kindName: string): pulumi.dynamic.ResourceProvider {
    return {
        async configure(req) {
            require("pulumi-intune-enrollment/host").configure(req.config);
        },
        async check(olds, news) {
            return require("pulumi-intune-enrollment/host").check(kindName, olds, news);
        },
        async diff(id, olds, news) {
            return require("pulumi-intune-enrollment/host").diff(kindName, id, olds, news);
        },
        async create(inputs) {
            return require("pulumi-intune-enrollment/host").create(kindName, inputs);
        },
        async read(id, props) {
            return require("pulumi-intune-enrollment/host").read(kindName, id, props);
        },
        async update(id, olds, news) {
            return require("pulumi-intune-enrollment/host").update(kindName, id, olds, news);
        },
        async delete(id, props) {
            return require("pulumi-intune-enrollment/host").remove(kindName, id, props);
        },
    };
}
