/**
 * The Pulumi type tokens of the package's resources. A resource has one of two, after the form a program declares it
 * in, and a state may hold either: anything that reads states (the orphans command) must know both.
 */

/** The Pulumi package name: the provider plugin's name and the prefix of its config keys (`intune:tenantId`). */
export const PACKAGE_NAME = "intune";

/** A resource of the provider plugin's schema (YAML, Python, `pulumi import`): `intune:index:<TypeName>`. */
export const SCHEMA_MODULE = `${PACKAGE_NAME}:index`;

/** A dynamic resource of the TypeScript API, run by the engine's dynamic-provider host: `pulumi-nodejs:dynamic/intune:<TypeName>`. */
export const DYNAMIC_MODULE = `pulumi-nodejs:dynamic/${PACKAGE_NAME}`;

export const dynamicTypeToken = (typeName: string): string => `${DYNAMIC_MODULE}:${typeName}`;

/** The type name (`AndroidDeviceOwnerEnrollmentProfile`) a type token of either form names; undefined for another package's. */
export function typeNameOf(token: unknown): string | undefined {
    if (typeof token !== "string") return undefined;
    for (const module of [SCHEMA_MODULE, DYNAMIC_MODULE]) if (token.startsWith(`${module}:`)) return token.slice(module.length + 1);
    return undefined;
}
