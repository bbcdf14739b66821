import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { packageSchema } from "../provider/plugin/schema";
import { PACKAGE_VERSION } from "../provider/runtime/packageInfo";
import { descriptionsOf } from "./propertyTables";

/**
 * Part of `npm run build`: the provider plugin's schema, from the property tables and the JSDoc on their keys (which
 * only the sources hold), written beside the compiled plugin, which serves it.
 */

export const SCHEMA_FILE = join(__dirname, "..", "provider", "plugin", "schema.json");

export function builtSchema(): string {
    return `${JSON.stringify(packageSchema(PACKAGE_VERSION, descriptionsOf), null, 2)}\n`;
}

if (require.main === module) {
    mkdirSync(dirname(SCHEMA_FILE), { recursive: true });
    writeFileSync(SCHEMA_FILE, builtSchema());
}
