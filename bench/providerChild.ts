import { performance } from "node:perf_hooks";
import { providers } from "pulumi-intune-enrollment";
import { COLLECTIONS, ENTERPRISE_SETTINGS_PATH, errorText, KindName, profileSpecs, Props, RawGraph, SELECT, signIn } from "./common";
import type { EmulatorInfo } from "./emulatorProcess";

/**
 * A provider host process: the provider's exported dynamic-provider singletons, called as the engine's host calls
 * them (configure once, then check → create for every resource at once; later read for every resource at once).
 * Run as a child of its own so its memory is measured alone and every size starts with a fresh process-wide budget.
 */

interface DynamicProvider {
    configure(req: { config: { get(key: string): unknown } }): Promise<void>;
    check(olds: Props, news: Props): Promise<{ inputs?: Props; failures?: { property: string; reason: string }[] }>;
    create(inputs: Props): Promise<{ id: string; outs?: Props }>;
    read(id: string, props: Props): Promise<{ id?: string; props?: Props; inputs?: Props }>;
}

const PROVIDERS: Record<KindName, DynamicProvider> = {
    deviceOwner: providers.androidDeviceOwnerEnrollmentProfile as unknown as DynamicProvider,
    forWork: providers.androidForWorkEnrollmentProfile as unknown as DynamicProvider,
};

export interface ProviderJob {
    info: EmulatorInfo;
    n: number;
    prefix: string;
    windowMs: number;
    /** The serialized `__provider` text of each type, as the engine puts it into every resource's inputs. */
    providerTexts: Record<KindName, string>;
}

interface Created {
    kind: KindName;
    id: string;
    inputs: Props;
    outs: Props;
}

let job: ProviderJob | undefined;
let created: Created[] = [];

const rssKB = (): number => process.resourceUsage().maxRSS;
/** CPU time (user + system) this process spent since `since`: what the provider itself costs, apart from waiting. */
const cpuMsSince = (since: NodeJS.CpuUsage): number => {
    const used = process.cpuUsage(since);
    return (used.user + used.system) / 1000;
};

function summarize(results: PromiseSettledResult<unknown>[]): { failures: number; errors: string[] } {
    const errors = results.filter((r): r is PromiseRejectedResult => r.status === "rejected").map((r) => errorText(r.reason));
    return { failures: errors.length, errors: [...new Set(errors)].slice(0, 5) };
}

/** What the engine hands a refresh: each resource's type, id and recorded outputs. */
export interface RecordedResource {
    kind: KindName;
    id: string;
    outs: Props;
}

/** As the host does: each provider text configured once; both types share the process-wide settings. */
async function configure(j: ProviderJob): Promise<void> {
    job = j;
    const config: Record<string, string> = {
        "intune:tenantId": j.info.tenantId,
        "intune:clientId": j.info.clientId,
        "intune:clientSecret": j.info.clientSecret,
        "intune:graphEndpoint": j.info.graphUrl,
        "intune:authorityHost": j.info.authorityHost,
        "intune:caCertificatePath": j.info.caPath,
        "intune:throttleWindowSeconds": String(j.windowMs / 1000),
    };
    for (const p of Object.values(PROVIDERS)) await p.configure({ config: { get: (k) => config[k] } });
}

async function rollout(j: ProviderJob): Promise<Record<string, unknown>> {
    await configure(j);
    const specs = profileSpecs(j.n, j.prefix);
    const startedAt = Date.now();
    const cpu = process.cpuUsage();
    const started = performance.now();
    const results = await Promise.allSettled(
        specs.map(async (spec): Promise<Created> => {
            const provider = PROVIDERS[spec.kind];
            const checked = await provider.check({}, { ...spec.args, __provider: j.providerTexts[spec.kind] });
            if (checked.failures && checked.failures.length > 0) throw new Error(`check failed: ${JSON.stringify(checked.failures)}`);
            const { id, outs } = await provider.create(checked.inputs!);
            if (!id) throw new Error("create returned no id");
            return { kind: spec.kind, id, inputs: checked.inputs!, outs: { ...outs, __provider: j.providerTexts[spec.kind] } };
        }),
    );
    const wallMs = performance.now() - started;
    const cpuMs = cpuMsSince(cpu);
    created = results.filter((r): r is PromiseFulfilledResult<Created> => r.status === "fulfilled").map((r) => r.value);
    // A state entry as the engine records it from Create: the inputs it sent and the outputs (with __provider) it got.
    const stateBytes: Partial<Record<KindName, number>> = {};
    for (const kind of ["deviceOwner", "forWork"] as KindName[]) {
        const sample = created.find((c) => c.kind === kind);
        if (sample) stateBytes[kind] = Buffer.byteLength(JSON.stringify({ id: sample.id, inputs: sample.inputs, outputs: sample.outs }));
    }
    return { wallMs, startedAt, cpuMs, ...summarize(results), stateBytes, rssKB: rssKB(), heapUsed: process.memoryUsage().heapUsed };
}

/**
 * Reads every resource at once. In a process of its own (`fresh`: the job and the state the rollout's process
 * recorded), as `pulumi refresh` runs: no token, no connection, no TLS session yet.
 */
async function refresh(fresh?: { job: ProviderJob; state: RecordedResource[] }): Promise<Record<string, unknown>> {
    if (fresh) {
        await configure(fresh.job);
        created = fresh.state.map((r) => ({ ...r, inputs: {} }));
    }
    if (!job) throw new Error("refresh before rollout");
    const startedAt = Date.now();
    const cpu = process.cpuUsage();
    const started = performance.now();
    const results = await Promise.allSettled(
        created.map(async (c) => {
            const r = await PROVIDERS[c.kind].read(c.id, c.outs);
            if (r.id !== c.id) throw new Error(`read returned id "${r.id ?? ""}" for ${c.id}`);
            return r;
        }),
    );
    const wallMs = performance.now() - started;
    const cpuMs = cpuMsSince(cpu);
    return { wallMs, startedAt, cpuMs, reads: created.length, ...summarize(results), rssKB: rssKB() };
}

/**
 * The refresh floor, from a process as new as the provider's refresh: a bare client signs in, then reads every
 * profile and the tenant's Android Enterprise settings at once, as the provider's refresh does. Times are from the
 * start of its sign-in.
 */
async function bareRefresh(arg: { info: EmulatorInfo; reads: { kind: KindName; id: string }[] }): Promise<Record<string, unknown>> {
    const { info } = arg;
    const cpu = process.cpuUsage();
    const started = performance.now();
    const token = await signIn(info.authorityHost, info.tenantId, info.clientId, info.clientSecret, info.caPem);
    const signInMs = performance.now() - started;
    const graph = new RawGraph(info.graphUrl, info.caPem, token);
    try {
        let firstAnswerMs = Infinity;
        const paths = [...arg.reads.map(({ kind, id }) => `${COLLECTIONS[kind]}/${id}?$select=${SELECT[kind]}`), ENTERPRISE_SETTINGS_PATH];
        const answers = await Promise.all(
            paths.map((path) =>
                graph.request("GET", path).then((a) => {
                    firstAnswerMs = Math.min(firstAnswerMs, performance.now() - started);
                    return a;
                }),
            ),
        );
        if (answers.some((a) => a.status !== 200)) throw new Error("a reference read failed");
        return { wallMs: performance.now() - started, signInMs, firstAnswerMs, cpuMs: cpuMsSince(cpu) };
    } finally {
        graph.close();
    }
}

process.on("message", (m: { cmd: string; arg?: unknown }) => {
    void (async () => {
        try {
            if (m.cmd === "rollout") process.send!({ type: "rollout:done", ...(await rollout(m.arg as ProviderJob)) });
            else if (m.cmd === "refresh") process.send!({ type: "refresh:done", ...(await refresh(m.arg as Parameters<typeof refresh>[0])) });
            else if (m.cmd === "bareRefresh") process.send!({ type: "bareRefresh:done", ...(await bareRefresh(m.arg as Parameters<typeof bareRefresh>[0])) });
            else if (m.cmd === "state")
                process.send!({ type: "state:done", state: created.map(({ kind, id, outs }): RecordedResource => ({ kind, id, outs })) });
            else if (m.cmd === "stop") process.exit(0);
            else process.send!({ type: `${m.cmd}:done`, error: `unknown command ${m.cmd}` });
        } catch (err) {
            process.send!({ type: `${m.cmd}:done`, error: errorText(err) });
        }
    })();
});
process.on("disconnect", () => process.exit(0));
process.send!({ type: "ready", rssKB: rssKB() });
