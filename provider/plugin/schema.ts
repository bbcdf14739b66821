import * as t from "io-ts";
import { ENROLLMENT_SETTINGS_DESCRIPTION, ENROLLMENT_SETTINGS_PROPERTIES } from "../enterprise/enrollmentSettings";
import { ENROLLMENT_SETTINGS_TYPE_NAME } from "../enterprise/names";
import { ENTERPRISE_SETTINGS_SUMMARY } from "../enterprise/settings";
import { attachmentsOf } from "../profiles/attachments";
import { withArticle } from "../profiles/decodeErrors";
import { BINDING_OUTPUTS } from "../profiles/binding";
import { KINDS } from "../profiles/kinds";
import { ProfileKind } from "../profiles/kind";
import { WHOLE_NUMBERS } from "../profiles/model";
import { Property, PropertyTable } from "../profiles/properties";
import { SETTING_KEYS } from "../runtime/settings";
import { PACKAGE_NAME, SCHEMA_MODULE } from "../typeTokens";

/**
 * The Pulumi package schema of the provider plugin, derived from the same property tables as the dynamic resources
 * and the reference tables: each property's type from its codec, its secrecy, whether a change replaces, its
 * description from the JSDoc on its key (read from the sources at build time, `descriptions`). No property has a
 * schema `default`: an SDK would then send the default as if the program declared it, and a declared property is a
 * managed one (an adopted profile's scope tags would be reset). Defaults are said in the descriptions instead.
 * scripts/schema.ts writes it at build time; the plugin serves that file.
 */

export interface SchemaProperty {
    type?: string;
    $ref?: string;
    items?: SchemaProperty;
    additionalProperties?: SchemaProperty;
    description?: string;
    secret?: boolean;
    replaceOnChanges?: boolean;
}

interface ObjectShape {
    description?: string;
    properties: Record<string, SchemaProperty>;
    required?: string[];
}

interface ComplexType extends Partial<ObjectShape> {
    type: "object" | "string";
    enum?: { value: string; name?: string }[];
}

interface ResourceSpec {
    description: string;
    inputProperties: Record<string, SchemaProperty>;
    requiredInputs: string[];
    properties: Record<string, SchemaProperty>;
    required: string[];
}

export interface PackageSchema {
    name: string;
    displayName: string;
    version: string;
    description: string;
    keywords: string[];
    license: string;
    config: { variables: Record<string, SchemaProperty> };
    provider: { description: string; inputProperties: Record<string, SchemaProperty> };
    types: Record<string, ComplexType>;
    resources: Record<string, ResourceSpec>;
    functions: Record<string, { description: string; inputs?: ObjectShape; outputs: ObjectShape }>;
    language: Record<string, unknown>;
}

/** The JSDoc description of each key of a table or codec's properties, looked up by the object itself. */
export type Descriptions = (table: object) => ReadonlyMap<string, string>;

type Codec = t.Mixed & { _tag?: string; type?: t.Mixed; types?: t.Mixed[]; keys?: Record<string, unknown>; props?: t.Props };

const capitalized = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** Builds the schema; `types` collects the enums and objects the properties refer to. */
class SchemaBuilder {
    readonly types: Record<string, ComplexType> = {};

    constructor(private readonly descriptions: Descriptions) {}

    /** The schema type of a codec; `named`: the name an enum or object type gets (the property's, capitalised). */
    typeOf(codec: t.Mixed, named: string): SchemaProperty {
        const c = codec as Codec;
        if (WHOLE_NUMBERS.has(codec)) return { type: "integer" };
        switch (c._tag) {
            case "StringType":
                return { type: "string" };
            case "BooleanType":
                return { type: "boolean" };
            case "NumberType":
                return { type: "number" };
            case "RefinementType":
                return this.typeOf(c.type!, named);
            case "ArrayType":
                return { type: "array", items: this.typeOf(c.type!, named) };
            case "UnionType": {
                // nullable(x) and the service's string-or-number enums: the first member that is a value says it.
                const values = c.types!.filter((m) => !["NullType", "UndefinedType"].includes((m as Codec)._tag ?? ""));
                const stringy = values.find((m) => (m as Codec)._tag === "StringType");
                return this.typeOf(stringy ?? values[0], named);
            }
            case "KeyofType": {
                const token = `${SCHEMA_MODULE}:${capitalized(named)}`;
                this.types[token] = { type: "string", enum: Object.keys(c.keys!).map((value) => ({ value })) };
                return { $ref: `#/types/${token}` };
            }
            case "InterfaceType": {
                const token = `${SCHEMA_MODULE}:${codec.name}`;
                const props = c.props!;
                this.types[token] = {
                    type: "object",
                    properties: Object.fromEntries(Object.entries(props).map(([k, v]) => [k, this.typeOf(v, k)])),
                    required: Object.keys(props),
                };
                return { $ref: `#/types/${token}` };
            }
            default:
                throw new Error(`schema: no schema type for the codec ${codec.name} (${c._tag ?? "?"}) of ${named}`);
        }
    }

    described(table: object, name: string, type: SchemaProperty, notes?: string): SchemaProperty {
        const text = [this.descriptions(table).get(name) ?? "", notes ? `(${notes})` : ""].filter(Boolean).join(" ");
        if (!text) throw new Error(`schema: ${name} has no description (a JSDoc comment on its key)`);
        return { ...type, description: text };
    }

    /** A resource from its table: inputs, then the outputs it stores (declared inputs among them) and `extra` ones. */
    resource(description: string, table: PropertyTable, extraOutputs: Record<string, { codec: t.Mixed; description: string }>): ResourceSpec {
        const inputProperties: Record<string, SchemaProperty> = {};
        const properties: Record<string, SchemaProperty> = {};
        const flags = (p: Property): SchemaProperty => ({ ...(p.secret ? { secret: true } : {}) });
        for (const [name, p] of Object.entries(table)) {
            const codec = p.input ?? p.entity;
            if (!codec) throw new Error(`schema: ${name} has neither an input nor an entity codec`);
            if (p.input) inputProperties[name] = { ...this.described(table, name, this.typeOf(p.input, name), p.docs?.notes), ...flags(p) };
            if (p.output === "mimeContent") {
                properties[name] = { ...this.described(table, name, { type: "string" }), ...flags(p) };
                properties[`${name}Type`] = { type: "string", description: `The MIME type of \`${name}\` (\`image/png\`).` };
            } else if (p.input || p.output) {
                // replaceOnChanges is read from the outputs only (pulumi/pulumi#15726).
                const replace = p.replaceOnChange ? { replaceOnChanges: true } : {};
                properties[name] = { ...this.described(table, name, this.typeOf(p.input ?? codec, name), p.docs?.notes), ...flags(p), ...replace };
            }
        }
        for (const [name, extra] of Object.entries(extraOutputs)) properties[name] = { ...this.typeOf(extra.codec, name), description: extra.description };
        const requiredInputs = Object.keys(table).filter((k) => table[k].input && table[k].required);
        return {
            description,
            inputProperties,
            requiredInputs,
            properties,
            required: [...requiredInputs, ...Object.keys(extraOutputs).filter((k) => k === "profileId")],
        };
    }
}

const bindingOutputs = Object.fromEntries(Object.entries(BINDING_OUTPUTS).map(([k, description]) => [k, { codec: t.string, description }]));

function profileResource(builder: SchemaBuilder, kind: ProfileKind): ResourceSpec {
    const attached = Object.assign({}, ...attachmentsOf(kind).map((a) => a.outputs)) as Record<string, { codec: t.Mixed; description: string }>;
    return builder.resource(kind.description, kind.properties, {
        profileId: { codec: t.string, description: "The profile's Graph id (also the resource's id)." },
        ...attached,
        ...bindingOutputs,
    });
}

/** What a profile lookup returns: the profile as the resource's outputs show it, every opt-in output included. */
function profileLookup(builder: SchemaBuilder, kind: ProfileKind): { description: string; inputs: ObjectShape; outputs: ObjectShape } {
    const resource = profileResource(builder, kind);
    const keep = new Set(["profileId", ...kind.writable.filter((k) => !kind.writeOnly.includes(k)), ...kind.serverOutputs, ...kind.mimeOutputs]);
    for (const key of kind.mimeOutputs) keep.add(`${key}Type`);
    const properties = Object.fromEntries(
        Object.entries(resource.properties)
            .filter(([k]) => keep.has(k))
            .map(([k, p]) => [k, { ...p, replaceOnChanges: undefined }]),
    );
    return {
        description: `Reads ${withArticle(kind.label)} without managing it, by its id or by its displayName (which must then be unique). The token and QR code come back secret.`,
        inputs: {
            properties: {
                id: { type: "string", description: "The profile's Graph id. Give this or displayName." },
                displayName: { type: "string", description: "The profile's name; exactly one profile of this type may have it. Give this or id." },
            },
        },
        outputs: { properties: JSON.parse(JSON.stringify(properties)) as Record<string, SchemaProperty>, required: ["profileId", "displayName"] },
    };
}

function configVariables(): Record<string, SchemaProperty> {
    return Object.fromEntries(
        SETTING_KEYS.map((s) => [
            s.key,
            {
                type: s.type ?? "string",
                description: `${s.doc}${s.env.length ? ` Environment: ${s.env.join(", ")}.` : ""}`,
                ...(s.secret ? { secret: true } : {}),
            },
        ]),
    );
}

export function packageSchema(version: string, descriptions: Descriptions): PackageSchema {
    const builder = new SchemaBuilder(descriptions);
    const resources: Record<string, ResourceSpec> = {};
    const functions: PackageSchema["functions"] = {};
    for (const kind of Object.values(KINDS)) {
        resources[`${SCHEMA_MODULE}:${kind.typeName}`] = profileResource(builder, kind);
        functions[`${SCHEMA_MODULE}:get${kind.typeName}`] = profileLookup(builder, kind);
    }
    resources[`${SCHEMA_MODULE}:${ENROLLMENT_SETTINGS_TYPE_NAME}`] = builder.resource(
        ENROLLMENT_SETTINGS_DESCRIPTION,
        ENROLLMENT_SETTINGS_PROPERTIES,
        bindingOutputs,
    );
    functions[`${SCHEMA_MODULE}:getAndroidEnterpriseSettings`] = {
        description:
            "The tenant's Android Enterprise settings: whether it is bound to managed Google Play and allows corporate-owned user enrollment (needs DeviceManagementConfiguration.Read.All).",
        outputs: {
            properties: Object.fromEntries(
                Object.entries(ENTERPRISE_SETTINGS_SUMMARY).map(([k, codec]) => [
                    k,
                    builder.described(ENTERPRISE_SETTINGS_SUMMARY, k, builder.typeOf(codec, k)),
                ]),
            ),
            required: ["boundToManagedGooglePlay"],
        },
    };
    const variables = configVariables();
    return {
        name: PACKAGE_NAME,
        displayName: "Intune Android enrollment",
        version,
        description: "Microsoft Intune Android enrollment profiles (device owner and legacy Android for Work) with their enrollment tokens and QR codes.",
        keywords: ["pulumi", "intune", "android", "microsoft-graph", "category/utility", "kind/native"],
        license: "MIT",
        config: { variables },
        provider: {
            description: "The intune provider: which tenant to sign in to and how, or the local Graph emulator (`emulator: true`).",
            inputProperties: variables,
        },
        types: builder.types,
        resources,
        functions,
        language: {
            python: { packageName: "pulumi_intune", respectSchemaVersion: true, pyproject: { enabled: true } },
            go: { importBasePath: "github.com/pulumi-intune-enrollment/pulumi-intune-enrollment/sdk/go/intune", generateResourceContainerTypes: false },
            nodejs: { packageName: "@pulumi-intune-enrollment/intune", respectSchemaVersion: true },
            csharp: { rootNamespace: "PulumiIntuneEnrollment", respectSchemaVersion: true },
        },
    };
}
