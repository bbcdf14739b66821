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
