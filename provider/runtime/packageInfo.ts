/** The package's own version, from its package.json (through the exports map), so it is written in one place. */
export const PACKAGE_VERSION: string = (require("pulumi-intune-enrollment/package.json") as { version: string }).version;
