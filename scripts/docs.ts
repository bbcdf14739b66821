import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { validateGroup } from "../emulator/membershipTarget";
import { DEFAULT_GROUPS } from "../emulator/options";
import { SETTING_KEYS, SettingKey } from "../provider/runtime/settings";
import { ENROLLMENT_SETTINGS_PROPERTIES } from "../provider/enterprise/enrollmentSettings";
import { Property } from "../provider/profiles/properties";
import { expectedTables, jsDocOfTable, markers } from "./propertyTables";

/**
 * `npm run docs`: the parts of docs/ that the code decides, written between their markers, so that a table cannot
 * say something the code does not. test/examples.readme.test.ts renders every block again and fails when a page is
 * behind the code; everything outside the markers is hand-written.
 */

const REPO = join(__dirname, "..", "..");

/** One generated block: the page it lives in, its markers, and its text as the code renders it now. */
export interface GeneratedBlock {
    file: string;
    start: string;
    end: string;
    render(): string;
}

const cell = (s: string): string => s.replace(/\|/g, "\\|");

/** The configuration table: every `intune:*` key with the environment variables that back it, in the order read. */
export function renderSettingsTable(keys: readonly SettingKey[] = SETTING_KEYS): string {
    const lines = ["| Config key | Environment variables | Secret | What it is |", "| --- | --- | --- | --- |"];
    for (const s of keys) {
        lines.push(`| \`intune:${s.key}\` | ${s.env.map((e) => `\`${e}\``).join(", ")} | ${s.secret ? "yes" : ""} | ${cell(s.doc)} |`);
    }
    return lines.join("\n");
}

/** The emulator's default groups, each with what the emulator's own validation answers for it. */
export function renderDefaultGroupsTable(): string {
    const groups = new Map(DEFAULT_GROUPS.map((g) => [g.id.toLowerCase(), g]));
    const lines = ["| Id | Name | What validation says |", "| --- | --- | --- |"];
    for (const g of DEFAULT_GROUPS) {
        const status = validateGroup(groups, g.id);
        lines.push(`| \`${g.id}\` | ${cell(g.displayName)} | ${status.validationSucceeded ? "passes" : `\`${status.targetValidationErrorCode}\``} |`);
    }
    return lines.join("\n");
}

/** AndroidEnterpriseEnrollmentSettings' input and outputs, from its property table and the JSDoc on its keys. */
export function renderEnrollmentSettingsTables(): string {
    const docs = jsDocOfTable("provider/enterprise/enrollmentSettings.ts", "ENROLLMENT_SETTINGS_PROPERTIES");
    const lines = ["| Input | Type and allowed values | On change | Description |", "| --- | --- | --- | --- |"];
    for (const [name, p] of Object.entries(ENROLLMENT_SETTINGS_PROPERTIES) as [string, Property][]) {
        if (p.input) lines.push(`| \`${name}\` | ${cell(p.docs?.type ?? "")} | ${cell(p.docs?.onChange ?? "")} | ${cell(docs.get(name) ?? "")} |`);
    }
    lines.push("", "| Output | Description |", "| --- | --- |");
    for (const [name, p] of Object.entries(ENROLLMENT_SETTINGS_PROPERTIES) as [string, Property][]) {
        if (p.output) lines.push(`| \`${name}\` | ${cell(docs.get(name) ?? "")} |`);
    }
    lines.push("| `tenantId`, `graphRoot` | Whose settings these are: the Entra ID tenant and the Graph root. Another tenant's are never changed. |");
    return lines.join("\n");
}

type SchemaProp = { type?: string; $ref?: string; items?: SchemaProp; description?: string; secret?: boolean; replaceOnChanges?: boolean };
type SchemaShape = { description?: string; properties?: Record<string, SchemaProp>; required?: string[] };

function schemaTypeText(p: SchemaProp, types: Record<string, { enum?: { value: string }[] }>): string {
    if (p.$ref) {
        const token = p.$ref.replace("#/types/", "");
        const values = types[token]?.enum?.map((e) => `\`${e.value}\``);
        return values ? values.join(", ") : token.split(":").pop()!;
    }
    if (p.type === "array" && p.items) return `list of ${schemaTypeText(p.items, types)}`;
    return p.type ?? "any";
}

function schemaTable(heading: string, shape: SchemaShape, types: Record<string, { enum?: { value: string }[] }>): string[] {
    const lines = [`| ${heading} | Type | Description |`, "| --- | --- | --- |"];
    for (const [name, p] of Object.entries(shape.properties ?? {})) {
        const flags = [shape.required?.includes(name) ? "required" : "", p.secret ? "secret" : "", p.replaceOnChanges ? "replaces on change" : ""].filter(
            Boolean,
        );
        lines.push(`| \`${name}\` | ${cell(schemaTypeText(p, types))}${flags.length ? ` (${flags.join(", ")})` : ""} | ${cell(p.description ?? "")} |`);
    }
    return lines;
}

/**
 * The provider plugin's reference, in the Pulumi registry's order (configuration, resources, functions), rendered
 * from the schema the build writes: what YAML, Python and every SDK see.
 */
export function renderSchemaReference(): string {
    const schema = JSON.parse(readFileSync(join(REPO, "dist", "provider", "plugin", "schema.json"), "utf8")) as {
        config: { variables: Record<string, SchemaProp> };
        types: Record<string, { enum?: { value: string }[] }>;
        resources: Record<
            string,
            { description: string; inputProperties: Record<string, SchemaProp>; requiredInputs: string[]; properties: Record<string, SchemaProp> }
        >;
        functions: Record<string, { description: string; inputs?: SchemaShape; outputs: SchemaShape }>;
    };
    const out: string[] = ["### Configuration (`intune:*`)", "", ...schemaTable("Key", { properties: schema.config.variables }, schema.types)];
    for (const [token, r] of Object.entries(schema.resources)) {
        out.push("", `### ${token.split(":").pop()} (\`${token}\`)`, "", r.description, "");
        out.push(...schemaTable("Input", { properties: r.inputProperties, required: r.requiredInputs }, schema.types));
        const outputsOnly = Object.fromEntries(Object.entries(r.properties).filter(([k]) => !(k in r.inputProperties)));
        out.push("", ...schemaTable("Output", { properties: outputsOnly }, schema.types));
        out.push("", `Import: \`pulumi import ${token} <name> <id>\`.`);
    }
    for (const [token, f] of Object.entries(schema.functions)) {
        out.push("", `### ${token.split(":").pop()} (\`${token}\`)`, "", f.description, "");
        if (f.inputs) out.push(...schemaTable("Argument", f.inputs, schema.types), "");
        out.push(...schemaTable("Result", f.outputs, schema.types));
    }
    // The descriptions link within reference.md, where they come from.
    return out.join("\n").replace(/\]\(#/g, "](reference.md#");
}

export function generatedBlocks(): GeneratedBlock[] {
    const blocks: GeneratedBlock[] = [];
    for (const [kind, tables] of expectedTables()) blocks.push({ file: "docs/reference.md", ...markers(kind), render: () => tables });
    blocks.push({
        file: "docs/installation-configuration.md",
        start: "<!-- configuration keys: generated by npm run docs -->",
        end: "<!-- end of configuration keys -->",
        render: () => renderSettingsTable(),
    });
    blocks.push({
        file: "docs/reference.md",
        start: "<!-- properties of AndroidEnterpriseEnrollmentSettings: generated by npm run docs -->",
        end: "<!-- end of properties of AndroidEnterpriseEnrollmentSettings -->",
        render: () => renderEnrollmentSettingsTables(),
    });
    blocks.push({
        file: "docs/plugin.md",
        start: "<!-- schema reference: generated by npm run docs -->",
        end: "<!-- end of schema reference -->",
        render: () => renderSchemaReference(),
    });
    blocks.push({
        file: "docs/emulator.md",
        start: "<!-- default groups: generated by npm run docs -->",
        end: "<!-- end of default groups -->",
        render: () => renderDefaultGroupsTable(),
    });
    return blocks;
}

/** The pages that hold generated blocks, relative to the repository. */
export function generatedFiles(): string[] {
    return [...new Set(generatedBlocks().map((b) => b.file))];
}

/** `text` (the content of `file`) with each of its blocks rendered between its markers. */
export function renderDocs(file: string, text: string): string {
    let out = text;
    for (const block of generatedBlocks().filter((b) => b.file === file)) {
        const from = out.indexOf(block.start);
        const to = out.indexOf(block.end);
        if (from < 0 || to < from) throw new Error(`${file} has no markers ${block.start} ... ${block.end}`);
        out = `${out.slice(0, from + block.start.length)}\n${block.render()}\n${out.slice(to)}`;
    }
    return out;
}

if (require.main === module) {
    for (const file of generatedFiles()) {
        const path = join(REPO, file);
        writeFileSync(path, renderDocs(file, readFileSync(path, "utf8")));
        process.stdout.write(`${file}: generated tables written\n`);
    }
}
