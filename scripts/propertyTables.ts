import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as ts from "typescript";
import { KINDS } from "../provider/profiles/kinds";
import { ProfileKind } from "../provider/profiles/model";
import { Property, PropertyTable } from "../provider/profiles/schema";

/**
 * Each resource's input and output tables in docs/reference.md, rendered from each kind's property table: the flags
 * from the table itself, the descriptions from the JSDoc comments on its keys (the same text the IDE shows on hover).
 * `npm run docs` (scripts/docs.ts) writes them between their markers; a test fails when the page disagrees.
 */

const REPO = join(__dirname, "..", "..");
const KIND_SOURCES: Record<string, { file: string; table: string }> = {
    androidDeviceOwnerEnrollmentProfile: { file: "provider/profiles/kinds/androidDeviceOwner.ts", table: "ANDROID_DEVICE_OWNER_PROPERTIES" },
    androidForWorkEnrollmentProfile: { file: "provider/profiles/kinds/androidForWork.ts", table: "ANDROID_FOR_WORK_PROPERTIES" },
};

/** JSDoc of each key of an object literal `const NAME = { ... }` in a source file, following `...OTHER` spreads. */
export function jsDocOfTable(file: string, table: string): Map<string, string> {
    const source = ts.createSourceFile(file, readFileSync(join(REPO, file), "utf8"), ts.ScriptTarget.ES2022, true);
    const docs = new Map<string, string>();
    const visit = (node: ts.Node): void => {
        if (
            ts.isVariableDeclaration(node) &&
            ts.isIdentifier(node.name) &&
            node.name.text === table &&
            node.initializer &&
            ts.isObjectLiteralExpression(node.initializer)
        ) {
            for (const member of node.initializer.properties) {
                if (ts.isSpreadAssignment(member) && ts.isIdentifier(member.expression)) {
                    const imported = importedFrom(source, member.expression.text);
                    for (const [k, v] of jsDocOfTable(imported ?? file, member.expression.text)) docs.set(k, v);
                } else if (ts.isPropertyAssignment(member) && ts.isIdentifier(member.name)) {
                    const comment = ts
                        .getJSDocCommentsAndTags(member)
                        .filter(ts.isJSDoc)
                        .map((d) => ts.getTextOfJSDocComment(d.comment) ?? "")
                        .join(" ");
                    docs.set(member.name.text, comment.replace(/\s+/g, " ").trim());
                }
            }
        }
        ts.forEachChild(node, visit);
    };
    visit(source);
    return docs;
}

function importedFrom(source: ts.SourceFile, name: string): string | undefined {
    for (const statement of source.statements) {
        if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
        const bindings = statement.importClause?.namedBindings;
        if (bindings && ts.isNamedImports(bindings) && bindings.elements.some((e) => e.name.text === name)) {
            return join(source.fileName, "..", `${statement.moduleSpecifier.text}.ts`).replace(/\\/g, "/");
        }
    }
    return undefined;
}

const cell = (s: string): string => s.replace(/\|/g, "\\|");

function typeText(p: Property): string {
    if (p.docs?.type) return p.docs.type;
    const name = p.input?.name ?? "";
    const required = p.required ? ", required" : "";
    const oneOf = /^one of (.*)$/.exec(name);
    if (oneOf)
        return `${oneOf[1]
            .split(", ")
            .map((m) => `\`${m}\``)
            .join(", ")}${required}`;
    return `${name}${required}`;
}

function onChangeText(p: Property): string {
    if (p.docs?.onChange) return p.docs.onChange;
    return p.replaceOnChange ? "**replaces**" : p.writable ? "in place" : "in place (nothing sent)";
}

/** The markdown docs/reference.md holds for one kind: its inputs table and its outputs table. */
export function renderKindTables(kind: ProfileKind, table: PropertyTable, docs: Map<string, string>): string {
    const lines = ["| Input | Type and allowed values | On change | Description |", "| --- | --- | --- | --- |"];
    for (const [name, p] of Object.entries(table)) {
        if (!p.input) continue;
        const description = [docs.get(name) ?? "", p.docs?.notes ? `(${p.docs.notes})` : ""].filter(Boolean).join(" ");
        lines.push(`| \`${name}\` | ${cell(typeText(p))} | ${cell(onChangeText(p))} | ${cell(description)} |`);
    }
    lines.push("", "| Output | Description |", "| --- | --- |");
    lines.push("| `profileId` | The profile's Graph id (also the resource's id). |");
    for (const [name, p] of Object.entries(table)) {
        if (!p.output) continue;
        lines.push(`| \`${name}\` | ${cell(docs.get(name) ?? "")} |`);
        if (p.output === "mimeContent") lines.push(`| \`${name}Type\` | The MIME type of \`${name}\` (\`image/png\`). |`);
    }
    lines.push("| `tenantId`, `graphRoot` | Where the profile lives: the Entra ID tenant and the Graph root (a local emulator without its port). |");
    void kind;
    return lines.join("\n");
}

export function markers(kind: ProfileKind): { start: string; end: string } {
    return { start: `<!-- properties of ${kind.typeName}: generated by npm run docs -->`, end: `<!-- end of properties of ${kind.typeName} -->` };
}

export function expectedTables(): Map<ProfileKind, string> {
    const out = new Map<ProfileKind, string>();
    for (const kind of Object.values(KINDS)) {
        const source = KIND_SOURCES[kind.name];
        if (!source) continue;
        const table = (require(join(REPO, "dist", source.file.replace(/\.ts$/, ".js"))) as Record<string, PropertyTable>)[source.table];
        out.set(kind, renderKindTables(kind, table, jsDocOfTable(source.file, source.table)));
    }
    return out;
}
