import { graphError } from "./graphErrors";
import { Entity } from "./store";

/** The slice of OData query syntax Intune honours on these collections: $select, $filter, $top, $skiptoken. */

export function parseSelect(raw: string | null, known: readonly string[], typeName: string): string[] | undefined {
    if (raw === null || raw.trim() === "") return undefined;
    const names = raw
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
    for (const n of names) {
        if (n !== "*" && !known.includes(n)) {
            throw graphError(400, "BadRequest", `Could not find a property named '${n}' on type '${typeName}'.`);
        }
    }
    return names.includes("*") ? [...known] : names;
}

export function parseTop(raw: string | null): number | undefined {
    if (raw === null) return undefined;
    if (!/^\d+$/.test(raw.trim())) {
        throw graphError(400, "BadRequest", `Invalid value '${raw}' for $top query option found. The $top query option requires a non-negative integer value.`);
    }
    return Number(raw.trim());
}

type Comparison = { property: string; op: "eq" | "ne" | "gt" | "ge" | "lt" | "le"; value: string | number | boolean | null };
type Predicate = { kind: "cmp"; cmp: Comparison } | { kind: "startswith"; property: string; prefix: string };
/** Disjunction of conjunctions: `a and b or c` = [[a, b], [c]]. */
export type Filter = Predicate[][];

const TOKEN = /\s*(?:(\()|(\))|(,)|'((?:[^']|'')*)'|([A-Za-z_][A-Za-z0-9_.]*)|(-?\d{4}-\d{2}-\d{2}T[0-9:.]+(?:Z|[+-]\d{2}:\d{2})?)|(-?\d+(?:\.\d+)?))/y;

interface Tok {
    kind: "(" | ")" | "," | "str" | "word" | "date" | "num";
    text: string;
}

function tokenize(src: string): Tok[] {
    const out: Tok[] = [];
    TOKEN.lastIndex = 0;
    let pos = 0;
    while (pos < src.length) {
        if (/^\s*$/.test(src.slice(pos))) break;
        TOKEN.lastIndex = pos;
        const m = TOKEN.exec(src);
        if (!m) throw invalidFilter(src);
        pos = TOKEN.lastIndex;
        if (m[1]) out.push({ kind: "(", text: "(" });
        else if (m[2]) out.push({ kind: ")", text: ")" });
        else if (m[3]) out.push({ kind: ",", text: "," });
        else if (m[4] !== undefined) out.push({ kind: "str", text: m[4].replace(/''/g, "'") });
        else if (m[5]) out.push({ kind: "word", text: m[5] });
        else if (m[6]) out.push({ kind: "date", text: m[6] });
        else out.push({ kind: "num", text: m[7] });
    }
    return out;
}

function invalidFilter(src: string): Error {
    return graphError(400, "BadRequest", `Invalid filter clause: syntax error in '${src}'.`);
}

export function parseFilter(raw: string | null, filterable: readonly string[]): Filter | undefined {
    if (raw === null || raw.trim() === "") return undefined;
    const toks = tokenize(raw);
    let i = 0;
    const need = (kind: Tok["kind"]): Tok => {
        const t = toks[i++];
        if (!t || t.kind !== kind) throw invalidFilter(raw);
        return t;
    };
    const property = (name: string): string => {
        if (!filterable.includes(name)) {
            throw graphError(400, "BadRequest", `Invalid filter clause: filtering on property '${name}' is not supported.`);
        }
        return name;
    };
    const predicate = (): Predicate => {
        const first = need("word");
        if (first.text.toLowerCase() === "startswith") {
            need("(");
            const prop = property(need("word").text);
            need(",");
            const prefix = need("str").text;
            need(")");
            return { kind: "startswith", property: prop, prefix };
        }
        const prop = property(first.text);
        const op = need("word").text.toLowerCase();
        if (!["eq", "ne", "gt", "ge", "lt", "le"].includes(op)) throw invalidFilter(raw);
        const v = toks[i++];
        if (!v) throw invalidFilter(raw);
        let value: Comparison["value"];
        if (v.kind === "str" || v.kind === "date") value = v.text;
        else if (v.kind === "num") value = Number(v.text);
        else if (v.kind === "word" && ["true", "false", "null"].includes(v.text)) value = v.text === "null" ? null : v.text === "true";
        else throw invalidFilter(raw);
        return { kind: "cmp", cmp: { property: prop, op: op as Comparison["op"], value } };
    };
    const filter: Filter = [[predicate()]];
    while (i < toks.length) {
        const joiner = need("word").text.toLowerCase();
        if (joiner === "and") filter[filter.length - 1].push(predicate());
        else if (joiner === "or") filter.push([predicate()]);
        else throw invalidFilter(raw);
    }
    return filter;
}

function compare(actual: unknown, c: Comparison): boolean {
    if (c.value === null || actual === null || actual === undefined) {
        const same = (actual ?? null) === c.value;
        return c.op === "eq" ? same : c.op === "ne" ? !same : false;
    }
    let a: number | string | boolean = actual as string;
    let b: number | string | boolean = c.value;
    const ta = typeof actual === "string" ? Date.parse(actual) : NaN;
    const tb = typeof c.value === "string" ? Date.parse(c.value) : NaN;
    if (/DateTime$/.test(c.property) && !isNaN(ta) && !isNaN(tb)) {
        a = ta;
        b = tb;
    } else if (typeof actual === "string" && typeof c.value === "string") {
        a = actual.toLowerCase();
        b = c.value.toLowerCase();
    }
    switch (c.op) {
        case "eq":
            return a === b;
        case "ne":
            return a !== b;
        case "gt":
            return a > b;
        case "ge":
            return a >= b;
        case "lt":
            return a < b;
        case "le":
            return a <= b;
    }
}

export function matches(entity: Entity, filter: Filter | undefined): boolean {
    if (!filter) return true;
    return filter.some((conj) =>
        conj.every((p) =>
            p.kind === "startswith"
                ? String(entity[p.property] ?? "")
                      .toLowerCase()
                      .startsWith(p.prefix.toLowerCase())
                : compare(entity[p.cmp.property], p.cmp),
        ),
    );
}

export function encodeSkipToken(offset: number): string {
    return Buffer.from(JSON.stringify({ o: offset }), "utf8").toString("base64url");
}

export function decodeSkipToken(raw: string | null): number {
    if (raw === null) return 0;
    try {
        const parsed = JSON.parse(Buffer.from(raw, "base64url").toString("utf8")) as { o?: unknown };
        if (typeof parsed.o === "number" && parsed.o >= 0) return parsed.o;
    } catch {
        /* fall through */
    }
    throw graphError(400, "BadRequest", "The $skiptoken is invalid or has expired.");
}
