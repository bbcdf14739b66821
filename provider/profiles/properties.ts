import * as t from "io-ts";
import { nullable } from "./model";

/**
 * A profile type as one table of properties. Each property says once what it is: its codec, whether the program
 * may declare it and Graph takes it, whether it comes back as an output, whether it is secret or write-only,
 * whether a change replaces the profile, what clears it, how two values compare. Its description is the JSDoc
 * comment on its key in the table: the IDE shows it on the resource's arguments, and a test holds the tables of
 * docs/reference.md to it. Everything else (codecs, lists, Args types) is derived here.
 */

export interface Property {
    /** What the program may declare (absent: only the service sets it). */
    input?: t.Mixed;
    /** The program must declare it. */
    required?: boolean;
    /** What Graph answers for it (absent: a provider control that never reaches Graph). Null is always allowed. */
    entity?: t.Mixed;
    /** Sent in POST, and in PATCH when it changed. */
    writable?: boolean;
    /** A change replaces the profile (Graph refuses to change it in place). */
    replaceOnChange?: boolean;
    /**
     * Returned as an output with the value the service holds (writable ones only when declared). "mimeContent":
     * the output holds the content's base64 value, and `<name>Type` its MIME type.
     */
    output?: boolean | "mimeContent";
    /** Secret wherever it appears: state, outputs, messages. */
    secret?: boolean;
    /** Graph never returns it: the declared value is kept instead of read back. */
    writeOnly?: boolean;
    /** Left out of the $select of a complete read (default: every entity property that is not write-only). */
    unselected?: boolean;
    /**
     * Read and kept as an output only when the program sets this control input to true. For a large value most
     * stacks never use: every byte of an output is in state, and the engine rewrites the whole state after each step.
     */
    outputWhen?: string;
    /** What a writable property removed from the program is set to, so that deleting a line does what it says. */
    cleared?: { value: unknown };
    /**
     * How a declared value and a live one compare: exactly, as an unordered set (Intune keeps no order), or without
     * letter case (an id such as a group's GUID, which Intune may spell otherwise).
     */
    compare?: "exact" | "unorderedSet" | "caseInsensitive";
    /** The token rules depend on it (enrollment mode, token type). */
    decidesTokenRules?: boolean;
    /** docs/reference.md: the inputs table's "type and allowed values", "on change" and notes (the description is the JSDoc). */
    docs?: { type?: string; onChange?: string; notes?: string };
}

export type PropertyTable = Record<string, Property>;

/** Keeps each property's literal type, so the Args type can be derived from the table. */
export const property = <P extends Property>(p: P): P => p;

export type InputKeys<T extends PropertyTable> = { [K in keyof T]: T[K] extends { input: t.Mixed } ? K : never }[keyof T];
export type RequiredKeys<T extends PropertyTable> = { [K in keyof T]: T[K] extends { input: t.Mixed; required: true } ? K : never }[keyof T];
export type InputType<P> = P extends { input: infer C extends t.Mixed } ? t.TypeOf<C> : never;

/** The decoded inputs a table declares (the lifecycle's typed view of a profile's inputs). */
export type InputsOf<T extends PropertyTable> = { [K in keyof Pick<T, RequiredKeys<T>>]: InputType<T[K]> } & {
    [K in keyof Pick<T, Exclude<InputKeys<T>, RequiredKeys<T>>>]?: InputType<T[K]>;
};

type EntityKeys<T extends PropertyTable> = { [K in keyof T]: T[K] extends { entity: t.Mixed } ? K : never }[keyof T];
type EntityType<P> = P extends { entity: infer C extends t.Mixed } ? t.TypeOf<C> : never;

/** A profile as Graph answers it, decoded: the id, and every property the table reads back, each may be null. */
export type EntityOf<T extends PropertyTable> = { id: string } & { [K in keyof Pick<T, EntityKeys<T>>]?: EntityType<T[K]> | null };

/** What every lifecycle function needs to know about a type's properties, derived from its table. */
export interface DerivedProperties {
    /** The table itself: what a schema or a page of docs renders. */
    properties: PropertyTable;
    /** User inputs: Graph-writable properties plus the provider controls. */
    inputs: t.Type<Record<string, unknown>, Record<string, unknown>, unknown>;
    /** A Graph entity as read: the id required, everything else optional and nullable, unknown extras kept. */
    entity: t.Type<Record<string, unknown>, Record<string, unknown>, unknown>;
    writable: readonly string[];
    replaceOnChange: readonly string[];
    serverOutputs: readonly string[];
    secrets: readonly string[];
    select: readonly string[];
    writeOnly: readonly string[];
    clearedValues: Record<string, unknown>;
    /** Outputs that are Graph mimeContent, split into `<name>` (the value) and `<name>Type`. */
    mimeOutputs: readonly string[];
    /** Properties read and output only when a control input is true: property -> that input. */
    outputWhen: Readonly<Record<string, string>>;
    /** Properties compared as unordered sets. */
    unordered: readonly string[];
    /** Properties compared without letter case. */
    caseInsensitive: readonly string[];
    /** Every property the program may declare. */
    inputKeys: readonly string[];
    /** The properties the program must declare. */
    required: readonly string[];
    /** Inputs that steer the provider and never go to Graph (compared by diff like writable ones). */
    controls: readonly string[];
    /** The properties the token rules read: while one is unknown or invalid, token rules are not judged. */
    tokenRuleInputs: readonly string[];
}

const keysWhere = (table: PropertyTable, test: (p: Property) => boolean): string[] => Object.keys(table).filter((k) => test(table[k]));

export function deriveProperties(table: PropertyTable): DerivedProperties {
    for (const [name, p] of Object.entries(table)) {
        // A kind that copies an opt-in output must copy its switch too, or the output could never be asked for.
        if (p.outputWhen !== undefined && table[p.outputWhen]?.input === undefined)
            throw new Error(`property table: ${name} is output only when ${p.outputWhen} is true, but the table has no input ${p.outputWhen}`);
    }
    const required: t.Props = {};
    const optional: t.Props = {};
    const entityProps: t.Props = {};
    for (const [name, p] of Object.entries(table)) {
        if (p.input) (p.required ? required : optional)[name] = p.input;
        if (p.entity) entityProps[name] = nullable(p.entity);
    }
    // The codecs are typed by the table (InputsOf); the lifecycle sees them as records until it is typed end to end.
    const inputs = t.intersection([t.type(required), t.partial(optional)]) as unknown as DerivedProperties["inputs"];
    const entity = t.intersection([t.type({ id: t.string }), t.partial(entityProps)]) as unknown as DerivedProperties["entity"];
    return {
        properties: table,
        inputs,
        entity,
        writable: keysWhere(table, (p) => p.writable === true),
        replaceOnChange: keysWhere(table, (p) => p.replaceOnChange === true),
        serverOutputs: keysWhere(table, (p) => p.output === true && p.writable !== true),
        mimeOutputs: keysWhere(table, (p) => p.output === "mimeContent"),
        outputWhen: Object.fromEntries(keysWhere(table, (p) => p.outputWhen !== undefined).map((k) => [k, table[k].outputWhen!])),
        secrets: keysWhere(table, (p) => p.secret === true),
        select: ["id", ...keysWhere(table, (p) => p.entity !== undefined && p.writeOnly !== true && p.unselected !== true)],
        writeOnly: keysWhere(table, (p) => p.writeOnly === true),
        clearedValues: Object.fromEntries(keysWhere(table, (p) => p.cleared !== undefined).map((k) => [k, table[k].cleared!.value])),
        unordered: keysWhere(table, (p) => p.compare === "unorderedSet"),
        caseInsensitive: keysWhere(table, (p) => p.compare === "caseInsensitive"),
        inputKeys: keysWhere(table, (p) => p.input !== undefined),
        required: keysWhere(table, (p) => p.input !== undefined && p.required === true),
        controls: keysWhere(table, (p) => p.input !== undefined && p.writable !== true && p.entity === undefined),
        tokenRuleInputs: keysWhere(table, (p) => p.decidesTokenRules === true),
    };
}
