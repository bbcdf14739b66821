import { declaration } from "./declaration";

/**
 * `pulumi up` of one tenant's stack: the declaration as an ordinary Pulumi program (what each job of the CI matrix
 * templates runs). fleet.ts applies the same declaration to many tenants at once.
 */
const fleet = declaration();

export const tenantId = fleet.tenantId;
export const profileIds = fleet.profileIds;
export const displayNames = fleet.displayNames;
