import type * as pulumi from "@pulumi/pulumi";
import "../runtime/engineWatch";
import { quietReportedErrors } from "../runtime/quietReportedErrors";
import { resourceTypeNamed } from "../resourceTypes";
import { dynamicProvider } from "./providers";

/**
 * What the `__provider` text in every resource's state calls, by package name (`pulumi-intune-enrollment/host`), so
 * every run uses the installed code's implementation. `provider` is what texts written since 0.2.0 call; the
 * functions re-exported below it are what 0.1.0's serialized provider objects call by name: both stay.
 */

// This module is loaded by the dynamic-provider host: from here on its print of reported errors is dropped.
quietReportedErrors();

/** The dynamic provider of a type (the same object the package exports in `providers`). */
export function provider(typeName: string): pulumi.dynamic.ResourceProvider {
    resourceTypeNamed(typeName); // an unknown type fails here, with the types this version knows
    return dynamicProvider(typeName);
}

export { check, configure, create, diff, read, remove, update } from "./calls";
