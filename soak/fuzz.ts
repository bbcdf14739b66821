import fc from "fast-check";
import { createServer, request, Server } from "node:https";
import { AddressInfo } from "node:net";
import { profileSpecs, Props } from "../bench/workload";
import { RunningEmulator, startEmulator } from "../emulator";
import { loadOrCreateTls } from "../emulator/tls";
import { defaultTlsDir } from "../emulator";
import { UNKNOWN } from "../provider/profiles/model";
import { configureProvider, DynamicProvider, PROVIDER_TEXT, PROVIDERS } from "./fleet";
import { Produced } from "./secrets";

/**
 * Part 4, fuzzed inputs: property-based generation of resource inputs into `check`, and of Graph answers (missing
 * fields, wrong types, unknown enum members, truncated JSON) into the client and the profile lifecycle, through a
 * proxy that corrupts the emulator's answers on their way to the provider.
 */

export interface FuzzOptions {
    /** Generated inputs per profile type. */
    inputRuns: number;
    /** Generated corrupted answers, each a lifecycle operation of its own. */
    responseRuns: number;
    seed: number;
    log: (line: string) => void;
}

export interface FuzzResult {
    inputs: { cases: number; bad: number; crashes: number; badWithoutFailure: number; failureNotNamingProperty: number; examples: string[] };
    responses: { cases: number; failed: number; succeeded: number; crashes: number; unclear: number; withSecret: number; examples: string[] };
    unhandledRejections: number;
}

type KindName = "deviceOwner" | "forWork";
type Category = "string" | "nonEmptyString" | "enum" | "boolean" | "stringList" | "days" | "renewDays" | "guid" | "dateTime" | "shortString";

/**
 * Each input and what its value must be; what a value is "definitely wrong" for depends on it. Every input of each
 * type's property table is here (test/soak.fuzz.test.ts holds the two lists side by side).
 */
export const FUZZED_INPUTS: Record<KindName, Record<string, Category>> = {
    deviceOwner: {
        displayName: "nonEmptyString",
        description: "string",
        enrollmentMode: "enum",
        enrollmentTokenType: "enum",
        roleScopeTagIds: "stringList",
        configureWifi: "boolean",
        wifiSsid: "string",
        wifiPassword: "string",
        wifiSecurityType: "enum",
        wifiHidden: "boolean",
        isTeamsDeviceProfile: "boolean",
        deviceNameTemplate: "shortString",
        tokenValidityDays: "days",
        renewTokenWithinDays: "renewDays",
        revokeTokenOnDelete: "boolean",
        adoptExistingId: "guid",
        adoptByDisplayName: "boolean",
        tokenExpirationDateTime: "dateTime",
        includeQrCodeImage: "boolean",
        enrollmentTimeDeviceGroupId: "guid",
    },
    forWork: {
        displayName: "nonEmptyString",
        description: "string",
        tokenValidityDays: "days",
        renewTokenWithinDays: "renewDays",
        revokeTokenOnDelete: "boolean",
        adoptExistingId: "guid",
        adoptByDisplayName: "boolean",
        tokenExpirationDateTime: "dateTime",
        includeQrCodeImage: "boolean",
    },
};

const junk = fc.letrec((tie) => ({
    value: fc.oneof(
        { depthSize: "small", withCrossShrink: true },
        fc.constant(null),
        fc.integer(),
        fc.double(),
        fc.boolean(),
        fc.string({ maxLength: 20 }),
        fc.array(tie("value"), { maxLength: 4 }),
        fc.dictionary(fc.string({ maxLength: 8 }), tie("value"), { maxKeys: 4 }),
    ),
})).value;
const nested = fc.oneof(
    fc.array(junk, { minLength: 1, maxLength: 4 }),
    fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), junk, { minKeys: 1, maxKeys: 4 }),
);
const hugeString = fc
    .integer({ min: 70_000, max: 300_000 })
    .chain((_length) => fc.constantFrom("x", "é", "\u0000", "{"))
    .map((c) => c.repeat(100_000));
const notString = fc.oneof(fc.integer(), fc.double({ noNaN: false }), fc.boolean(), nested);
const notNumber = fc.oneof(fc.string({ maxLength: 10 }), fc.boolean(), nested);
const notBoolean = fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), nested);
const unknownEnum = fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !/^(corporateOwned|default|deviceStaging|none|wpa|wep)/.test(s));

/** A value that is definitely wrong for the category. */
function badValue(category: Category): fc.Arbitrary<unknown> {
    switch (category) {
        case "nonEmptyString":
            return fc.oneof(notString, fc.constantFrom("", "   ", "\t\n"));
        case "string":
            return notString;
        case "shortString":
            return fc.oneof(
                notString,
                hugeString,
                fc.string({ minLength: 64, maxLength: 200 }).filter((s) => s.length > 63),
            );
        case "enum":
            return fc.oneof(notString, unknownEnum, hugeString);
        case "boolean":
            return notBoolean;
        case "stringList":
            return fc.oneof(
                fc.string({ maxLength: 10 }),
                fc.integer(),
                fc.array(fc.oneof(fc.integer(), fc.boolean(), nested), { minLength: 1, maxLength: 3 }),
                fc.dictionary(fc.string(), junk, { minKeys: 1 }),
            );
        case "days":
        case "renewDays":
            return fc.oneof(
                notNumber,
                fc.integer({ min: -1_000_000, max: 0 }),
                fc.double({ min: 0.01, max: 0.99, noNaN: true }),
                fc.constantFrom(Infinity, -Infinity, NaN, 1e12, 2.5),
            );
        case "guid":
            return fc.oneof(notString, fc.string({ maxLength: 35 }), hugeString);
        case "dateTime":
            return fc.oneof(
                notString,
                fc.string({ maxLength: 12 }).filter((s) => Number.isNaN(Date.parse(s))),
                fc.constantFrom("2000-01-01T00:00:00Z", "not a date", "9999-99-99"),
            );
    }
}

interface InputCase {
    kind: KindName;
    slot: number;
    property: string;
    value: unknown;
    /** "bad": must be a failure naming `property`; "unknownProperty": the same; "unknown": a preview value, no crash. */
    expect: "bad" | "unknown" | "unknownProperty";
}

function inputCase(kind: KindName): fc.Arbitrary<InputCase> {
    const props = Object.keys(FUZZED_INPUTS[kind]);
    const bad = fc
        .constantFrom(...props)
        .chain((property) => badValue(FUZZED_INPUTS[kind][property]).map((value) => ({ property, value, expect: "bad" as const })));
    const unknown = fc.constantFrom(...props).map((property) => ({ property, value: UNKNOWN as unknown, expect: "unknown" as const }));
    // null is how the engine passes "not set": not a value, so not a failure.
    const extra = fc
        .tuple(
            fc
                .string({ minLength: 1, maxLength: 30 })
                .filter((k) => !props.includes(k) && !["__provider", "__proto__", "constructor"].includes(k) && !k.startsWith("__")),
            junk.filter((v) => v !== null),
        )
        .map(([property, value]) => ({ property, value, expect: "unknownProperty" as const }));
    return fc
        .tuple(fc.integer({ min: 0, max: 9 }), fc.oneof({ weight: 6, arbitrary: bad }, { weight: 1, arbitrary: unknown }, { weight: 1, arbitrary: extra }))
        .map(([slot, c]) => ({ kind, slot, ...c }));
}

const isCrash = (err: unknown): boolean =>
    !(err instanceof Error) || err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError || err instanceof SyntaxError;

const describeValue = (v: unknown): string => {
    const s = typeof v === "string" ? JSON.stringify(v.slice(0, 40)) + (v.length > 40 ? `…(${v.length})` : "") : (JSON.stringify(v) ?? String(v));
    return s.length > 80 ? `${s.slice(0, 80)}…` : s;
};

async function fuzzInputs(o: FuzzOptions, result: FuzzResult): Promise<void> {
    const r = result.inputs;
    for (const kind of ["deviceOwner", "forWork"] as KindName[]) {
        const provider: DynamicProvider = PROVIDERS[kind];
        const bases = profileSpecs(10, "soak-fuzz").map((s) => s.args);
        await fc.assert(
            fc.asyncProperty(inputCase(kind), async (c) => {
                const base = kind === "forWork" ? { displayName: "soak-fuzz forWork", tokenValidityDays: 90 } : bases[c.slot % 8];
                const news: Props = { ...base, [c.property]: c.value, __provider: PROVIDER_TEXT };
                r.cases += 1;
                if (c.expect !== "unknown") r.bad += 1;
                let failures: { property: string; reason: string }[];
                try {
                    failures = (await provider.check({}, news)).failures ?? [];
                } catch (err) {
                    r.crashes += 1;
                    if (r.examples.length < 8) r.examples.push(`check threw for ${kind}.${c.property} = ${describeValue(c.value)}: ${String(err)}`);
                    return;
                }
                if (c.expect === "unknown") return;
                if (failures.length === 0) {
                    r.badWithoutFailure += 1;
                    if (r.examples.length < 8) r.examples.push(`check accepted ${kind}.${c.property} = ${describeValue(c.value)}`);
                } else if (
                    !failures.some((f) => f.property === c.property || f.property.startsWith(`${c.property}.`) || f.property.startsWith(`${c.property}[`))
                ) {
                    r.failureNotNamingProperty += 1;
                    if (r.examples.length < 8)
                        r.examples.push(`check of ${kind}.${c.property} = ${describeValue(c.value)} named ${failures.map((f) => f.property).join(", ")}`);
                }
            }),
            { numRuns: o.inputRuns, seed: o.seed, endOnFailure: false },
        );
    }
}

// ------------------------------------------------------------------------------------------------------------------
// Corrupted Graph answers

type Operation = "create" | "read" | "update" | "delete";
type Mutation =
    | { kind: "dropField"; pick: number }
    | { kind: "wrongType"; pick: number; value: unknown }
    | { kind: "unknownEnum"; field: string; value: string }
    | { kind: "truncate"; at: number }
    | { kind: "notJson"; text: string };

interface ResponseCase {
    operation: Operation;
    /** Which answers are corrupted: the entity reads, lists, the create's answer. */
    target: "get" | "list" | "create" | "any";
    mutation: Mutation;
    profileKind: KindName;
    slot: number;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
    fc.nat().map((pick) => ({ kind: "dropField" as const, pick })),
    fc
        .tuple(fc.nat(), fc.oneof(fc.integer(), fc.boolean(), fc.string({ maxLength: 8 }), nested, fc.constant(null)))
        .map(([pick, value]) => ({ kind: "wrongType" as const, pick, value })),
    fc
        .tuple(fc.constantFrom("enrollmentMode", "enrollmentTokenType", "wifiSecurityType", "@odata.type"), fc.string({ minLength: 1, maxLength: 20 }))
        .map(([field, value]) => ({ kind: "unknownEnum" as const, field, value })),
    fc.double({ min: 0, max: 0.999, noNaN: true }).map((at) => ({ kind: "truncate" as const, at })),
    fc.constantFrom("<html>Bad gateway</html>", "null", "[]", '""', "{}", "42").map((text) => ({ kind: "notJson" as const, text })),
);

const responseCaseArb: fc.Arbitrary<ResponseCase> = fc.record({
    operation: fc.constantFrom<Operation>("create", "read", "update", "delete"),
    target: fc.constantFrom<ResponseCase["target"]>("get", "list", "create", "any"),
    mutation: mutationArb,
    profileKind: fc.constantFrom<KindName>("deviceOwner", "forWork"),
    slot: fc.integer({ min: 0, max: 7 }),
});

/** Applies a mutation to a JSON answer: to the entity, or to every entity of a list. */
function corrupt(text: string, m: Mutation): string {
    if (m.kind === "truncate") return text.slice(0, Math.floor(text.length * m.at));
    if (m.kind === "notJson") return m.text;
    let body: unknown;
    try {
        body = JSON.parse(text);
    } catch {
        return text;
    }
    const touch = (entity: Record<string, unknown>): void => {
        const keys = Object.keys(entity);
        if (keys.length === 0) return;
        if (m.kind === "dropField") delete entity[keys[m.pick % keys.length]];
        else if (m.kind === "wrongType") entity[keys[m.pick % keys.length]] = m.value;
        else if (m.kind === "unknownEnum") entity[m.field] = m.value;
    };
    if (body && typeof body === "object") {
        const list = (body as { value?: unknown }).value;
        if (Array.isArray(list)) list.forEach((e) => e && typeof e === "object" && touch(e as Record<string, unknown>));
        else touch(body as Record<string, unknown>);
    }
    return JSON.stringify(body);
}

class CorruptingProxy {
    case: ResponseCase | undefined;
    corrupted = 0;
    private server: Server | undefined;
    url = "";

    constructor(private readonly emulator: RunningEmulator) {}

    async start(): Promise<void> {
        const tls = await loadOrCreateTls(defaultTlsDir());
        this.server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
            const chunks: Buffer[] = [];
            req.on("data", (c: Buffer) => chunks.push(c));
            req.on("end", () => {
                const upstream = request(
                    `${this.emulator.graphUrl}${req.url}`,
                    { method: req.method, headers: { ...req.headers, host: new URL(this.emulator.graphUrl).host }, ca: this.emulator.caPem },
                    (up) => {
                        const parts: Buffer[] = [];
                        up.on("data", (c: Buffer) => parts.push(c));
                        up.on("end", () => {
                            let text = Buffer.concat(parts).toString("utf8");
                            const headers = { ...up.headers };
                            if (this.applies(req.method ?? "GET", req.url ?? "/", up.statusCode ?? 0, text)) {
                                text = corrupt(text, this.case!.mutation);
                                this.corrupted += 1;
                                delete headers["content-length"];
                            }
                            res.writeHead(up.statusCode ?? 502, { ...headers, "content-length": Buffer.byteLength(text) });
                            res.end(text);
                        });
                    },
                );
                upstream.on("error", () => res.destroy());
                upstream.end(Buffer.concat(chunks));
            });
        });
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", () => resolve()));
        this.url = `https://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    }

    private applies(method: string, url: string, status: number, text: string): boolean {
        const c = this.case;
        if (!c || !url.startsWith("/beta/") || status >= 300 || text === "") return false;
        const path = url.split("?")[0];
        const isList = method === "GET" && /EnrollmentProfiles$/.test(path);
        const isGet = method === "GET" && /EnrollmentProfiles\/[^/]+$/.test(path);
        const isCreate = method === "POST" && /EnrollmentProfiles$/.test(path);
        return c.target === "any" || (c.target === "list" && isList) || (c.target === "get" && isGet) || (c.target === "create" && isCreate);
    }

    stop(): Promise<void> {
        return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    }
}

/**
 * What was being done: a Graph operation of the lifecycle ("Creating Android enrollment profile …", "Reading …", a
 * token call), or the read-back that follows a write ("waiting for … to show its enrollment token").
 */
const namesOperation = (message: string): boolean =>
    /\b(Creating|Reading|Updating|Deleting|Renewing|Issuing|Revoking|Listing|Looking for)\b/.test(message) || /waiting for .* to show/.test(message);

async function fuzzResponses(o: FuzzOptions, result: FuzzResult, produced: Produced, emulator: RunningEmulator, proxy: CorruptingProxy): Promise<void> {
    const r = result.responses;
    const specs = profileSpecs(10, "soak-fuzz-graph");
    let n = 0;
    await fc.assert(
        fc.asyncProperty(responseCaseArb, async (c) => {
            n += 1;
            const spec = c.profileKind === "forWork" ? specs[8] : specs[c.slot];
            const provider = PROVIDERS[spec.kind];
            const displayName = `${String(spec.args.displayName)} case ${n}`;
            const declared: Props = { ...spec.args, displayName, __provider: PROVIDER_TEXT };
            const inputs = (await provider.check({}, declared)).inputs!;
            let id: string | undefined;
            let outs: Props | undefined;
            if (c.operation !== "create") {
                const created = await provider.create(inputs);
                id = created.id;
                outs = { ...created.outs, __provider: PROVIDER_TEXT };
            }
            proxy.case = c;
            r.cases += 1;
            try {
                if (c.operation === "create") await provider.create(inputs);
                else if (c.operation === "read") await provider.read(id!, outs!);
                else if (c.operation === "update") {
                    const news = (await provider.check(outs!, { ...declared, description: `changed in case ${n}` })).inputs!;
                    await provider.update(id!, outs!, news);
                } else await provider.delete(id!, outs!);
                r.succeeded += 1;
            } catch (err) {
                r.failed += 1;
                const message = err instanceof Error ? err.message : String(err);
                produced.text(`fuzzed answer error (${c.operation})`, message);
                const why: string[] = [];
                if (isCrash(err)) {
                    r.crashes += 1;
                    why.push(`crash (${err instanceof Error ? err.name : typeof err})`);
                } else if (!namesOperation(message) || !message.includes(displayName)) {
                    r.unclear += 1;
                    why.push("does not name the operation and the profile");
                }
                const secrets = [...emulator.profiles("androidDeviceOwnerEnrollmentProfiles"), ...emulator.profiles("androidForWorkEnrollmentProfiles")]
                    .flatMap((p) => [p.tokenValue, p.qrCodeContent, p.wifiPassword])
                    .filter((s): s is string => typeof s === "string" && s.length >= 8);
                secrets.push(emulator.defaultApp.secret);
                if (secrets.some((s) => message.includes(s))) {
                    r.withSecret += 1;
                    why.push("holds a secret");
                }
                if (why.length > 0 && r.examples.length < 8)
                    r.examples.push(
                        `${c.operation}, ${c.target} answers ${JSON.stringify(c.mutation).slice(0, 80)}: ${why.join(", ")}: ${message.slice(0, 300)}`,
                    );
            } finally {
                proxy.case = undefined;
                for (const p of [...emulator.profiles("androidDeviceOwnerEnrollmentProfiles"), ...emulator.profiles("androidForWorkEnrollmentProfiles")]) {
                    for (const key of ["tokenValue", "qrCodeContent"]) if (typeof p[key] === "string") produced.secret(p[key] as string);
                }
                emulator.reset();
            }
        }),
        { numRuns: o.responseRuns, seed: o.seed, endOnFailure: false },
    );
}

export async function fuzz(o: FuzzOptions, produced: Produced): Promise<FuzzResult> {
    const result: FuzzResult = {
        inputs: { cases: 0, bad: 0, crashes: 0, badWithoutFailure: 0, failureNotNamingProperty: 0, examples: [] },
        responses: { cases: 0, failed: 0, succeeded: 0, crashes: 0, unclear: 0, withSecret: 0, examples: [] },
        unhandledRejections: 0,
    };
    const onUnhandled = (): void => void (result.unhandledRejections += 1);
    process.on("unhandledRejection", onUnhandled);
    const emulator = await startEmulator({ throttle: { enabled: false }, recordRequests: false });
    const proxy = new CorruptingProxy(emulator);
    await proxy.start();
    produced.credential(emulator.defaultApp.secret);
    try {
        // A corrupted answer comes back on every retry and read-back: short limits keep each case to seconds.
        await configureProvider({
            "intune:tenantId": emulator.tenantId,
            "intune:clientId": emulator.defaultApp.clientId,
            "intune:clientSecret": emulator.defaultApp.secret,
            "intune:graphEndpoint": proxy.url,
            "intune:authorityHost": emulator.authorityHost,
            "intune:caCertificatePath": emulator.caPath,
            "intune:consistencyTimeoutSeconds": "2",
            "intune:maxRetrySeconds": "3",
        });
        await fuzzInputs(o, result);
        o.log(
            `  fuzz: ${result.inputs.cases} generated inputs into check, ${result.inputs.crashes} crashes, ${result.inputs.badWithoutFailure} bad inputs accepted, ${result.inputs.failureNotNamingProperty} failures not naming the property`,
        );
        await fuzzResponses(o, result, produced, emulator, proxy);
        o.log(
            `  fuzz: ${result.responses.cases} corrupted Graph answers, ${result.responses.crashes} crashes, ${result.responses.unclear} unclear errors, ${result.responses.withSecret} with a secret`,
        );
        // Give stray promises a turn to reject before counting.
        await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
        process.off("unhandledRejection", onUnhandled);
        await proxy.stop();
        await emulator.stop();
    }
    return result;
}
