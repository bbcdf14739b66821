/**
 * `pulumi-intune-enrollment/dist/provider/tenants`: one declaration applied to many tenants through the Automation
 * API (kept out of the package's main entry, so an ordinary program never loads the Automation API).
 */
export { applyToTenants, boundedAll, ConfigValue, failureLine, resultsTable, RolloutOptions, Tenant, TenantOperation, TenantResult } from "./rollout";
export { parseTenantsFile, readTenantsFile, TenantsFile } from "./tenantsFile";
