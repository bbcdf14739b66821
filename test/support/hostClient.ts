import { ChildProcess, spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/**
 * Drives the real `@pulumi/pulumi` dynamic-provider host (`cmd/dynamic-provider`, what the engine runs as
 * `pulumi-resource-pulumi-nodejs`) over gRPC, the way the engine does. Every module it talks through is loaded from
 * the project given to `loadHostModules`, so the same code drives this repo's install and a consumer project's install
 * (the consumer fixture requires the compiled file by absolute path). At runtime this file needs only Node built-ins.
 */

export type Props = Record<string, unknown>;

export interface HostModules {
    grpc: typeof import("@grpc/grpc-js");
    providerGrpc: typeof import("@pulumi/pulumi/proto/provider_grpc_pb");
    providerPb: typeof import("@pulumi/pulumi/proto/provider_pb");
    statusPb: typeof import("@pulumi/pulumi/proto/status_pb");
    structPb: typeof import("google-protobuf/google/protobuf/struct_pb");
    /** Folder of @pulumi/pulumi in that project. */
    pulumiDir: string;
    /** The host program: `<pulumiDir>/cmd/dynamic-provider`. */
    hostProgram: string;
}

/** Loads the host, the protos, grpc-js and google-protobuf as installed for `projectDir` (grpc-js as @pulumi/pulumi resolves it). */
export function loadHostModules(projectDir: string): HostModules {
    const fromProject = createRequire(join(projectDir, "package.json"));
    const pulumiDir = dirname(fromProject.resolve("@pulumi/pulumi/package.json"));
    const fromPulumi = createRequire(join(pulumiDir, "package.json"));
    return {
        grpc: fromPulumi("@grpc/grpc-js"),
        providerGrpc: fromPulumi("./proto/provider_grpc_pb"),
        providerPb: fromPulumi("./proto/provider_pb"),
        statusPb: fromPulumi("./proto/status_pb"),
        structPb: fromPulumi("google-protobuf/google/protobuf/struct_pb"),
        pulumiDir,
        hostProgram: join(pulumiDir, "cmd", "dynamic-provider"),
    };
}

/** The key and value Pulumi marks a secret with on the wire (`rpc.specialSigKey` / `specialSecretSig`). */
export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** A value as the engine sends a secret (stack config set with `--secret`). */
export function secretValue(value: unknown): Props {
    return { [SECRET_SIG_KEY]: SECRET_SIG, value };
}

/** Pulumi's placeholder for a value not known during preview. */
export const UNKNOWN_VALUE = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export const DEVICE_OWNER_TYPE = "pulumi-nodejs:dynamic/intune:AndroidDeviceOwnerEnrollmentProfile";
export const FOR_WORK_TYPE = "pulumi-nodejs:dynamic/intune:AndroidForWorkEnrollmentProfile";

export function urnFor(type: string, name: string, project = "intune-test", stack = "test"): string {
    return `urn:pulumi:${stack}::${project}::${type}::${name}`;
}

/** The `__provider` text the profile resources register (test/host.typeTokens.test.ts holds them to it). */
export { providerText } from "../../provider/dynamic/providerText";

/** What the host packs into `grpc-status-details-bin` when a resource was created but failed to initialize. */
export interface InitFailure {
    id: string;
    properties: Props;
    reasons: string[];
}

/** A failed gRPC call: its status, the host's message, and the ErrorResourceInitFailed detail if one came. */
export class HostCallError extends Error {
    constructor(
        readonly method: string,
        readonly code: number,
        readonly details: string,
        readonly initFailure: InitFailure | undefined,
    ) {
        super(`${method} failed (gRPC status ${code}): ${details}`);
        this.name = "HostCallError";
    }
}

export type DiffChanges = "none" | "some" | "unknown";

export interface DiffResult {
    changes: DiffChanges;
    replaces: string[];
    deleteBeforeReplace: boolean;
}

export interface HostOptions {
    /** The Pulumi program's folder: the host's cwd, where the provider text's requires resolve. */
    cwd: string;
    /** Modules of the project whose host is run; default: loaded from `cwd`. */
    modules?: HostModules;
    /** PULUMI_NODEJS_PROJECT; default "intune-test". */
    project?: string;
    /** Environment of the host; default: this process's, without any Azure/Intune setting, so only Configure counts. */
    env?: NodeJS.ProcessEnv;
    /** What the host is told the engine's address is (default: a port nothing listens on). */
    engineAddress?: string;
    /** gRPC deadline of each call. */
    callTimeoutMs?: number;
    startTimeoutMs?: number;
}

/** Environment variables the provider reads settings from; the host must see none of them unless a test says so. */
const SETTING_ENV = /^(AZURE_|ARM_|INTUNE_|ACTIONS_ID_TOKEN_|SYSTEM_ACCESSTOKEN$|AZURESUBSCRIPTION_)/;

export function cleanEnvironment(base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
    return Object.fromEntries(Object.entries(base).filter(([k]) => !SETTING_ENV.test(k)));
}

type Callback<R> = (err: import("@grpc/grpc-js").ServiceError | null, res: R) => void;
type Unary<Q, R> = (req: Q, metadata: import("@grpc/grpc-js").Metadata, options: Partial<import("@grpc/grpc-js").CallOptions>, cb: Callback<R>) => unknown;

/** One running host process and a gRPC client connected to it. */
export class DynamicProviderHost {
    private stderrText = "";

    private constructor(
        private readonly m: HostModules,
        private readonly child: ChildProcess,
        private readonly client: import("@pulumi/pulumi/proto/provider_grpc_pb").ResourceProviderClient,
        readonly port: number,
        private readonly callTimeoutMs: number,
    ) {
        child.stderr?.on("data", (chunk: Buffer) => {
            this.stderrText += chunk.toString("utf8");
        });
    }

    /** Spawns `node <@pulumi/pulumi>/cmd/dynamic-provider <engine address>` and connects once it prints its port. */
    static async start(options: HostOptions): Promise<DynamicProviderHost> {
        const m = options.modules ?? loadHostModules(options.cwd);
        const env = { ...(options.env ?? cleanEnvironment()), PULUMI_NODEJS_PROJECT: options.project ?? "intune-test" };
        // The host itself never dials the engine; the provider's engine watch does once it loads, and leaves an
        // address that never answered alone.
        const child = spawn(process.execPath, [m.hostProgram, options.engineAddress ?? "127.0.0.1:1"], {
            cwd: options.cwd,
            env,
            stdio: ["ignore", "pipe", "pipe"],
        });
        let early = "";
        child.stderr!.on("data", (chunk: Buffer) => {
            early += chunk.toString("utf8");
        });
        const port = await new Promise<number>((resolve, reject) => {
            let out = "";
            const timer = setTimeout(
                () => fail(new Error(`the dynamic-provider host printed no port within ${options.startTimeoutMs ?? 30_000} ms`)),
                options.startTimeoutMs ?? 30_000,
            );
            const fail = (err: Error): void => {
                clearTimeout(timer);
                child.kill();
                reject(new Error(`${err.message}\nhost stderr:\n${early}`));
            };
            child.once("error", fail);
            child.once("exit", (code, signal) => fail(new Error(`the dynamic-provider host exited (${code ?? signal}) before printing its port`)));
            child.stdout!.on("data", (chunk: Buffer) => {
                out += chunk.toString("utf8");
                const line = out.split("\n")[0];
                if (out.includes("\n")) {
                    clearTimeout(timer);
                    child.removeAllListeners("exit");
                    const n = Number(line.trim());
                    if (Number.isInteger(n) && n > 0) resolve(n);
                    else fail(new Error(`the dynamic-provider host printed "${line}" instead of its port`));
                }
            });
        });
        const client = new m.providerGrpc.ResourceProviderClient(`127.0.0.1:${port}`, m.grpc.credentials.createInsecure());
        const host = new DynamicProviderHost(m, child, client, port, options.callTimeoutMs ?? 60_000);
        host.stderrText = early;
        return host;
    }

    /** What the host wrote to stderr so far (it logs failed check/diff/read/delete calls there). */
    stderr(): string {
        return this.stderrText;
    }

    /** Whether the host process is still running. */
    running(): boolean {
        return this.child.exitCode === null && this.child.signalCode === null;
    }

    private call<Q, R>(name: string, method: Unary<Q, R>, request: Q, timeoutMs = this.callTimeoutMs): Promise<R> {
        const m = this.m;
        return new Promise<R>((resolve, reject) => {
            method.call(this.client, request, new m.grpc.Metadata(), { deadline: Date.now() + timeoutMs }, (err, res) => {
                if (!err) return resolve(res);
                reject(new HostCallError(name, err.code, err.details, this.initFailure(err)));
            });
        });
    }

    private initFailure(err: import("@grpc/grpc-js").ServiceError): InitFailure | undefined {
        const m = this.m;
        for (const raw of err.metadata?.get("grpc-status-details-bin") ?? []) {
            const status = m.statusPb.Status.deserializeBinary(new Uint8Array(raw as Buffer));
            for (const detail of status.getDetailsList()) {
                if (detail.getTypeName() !== "pulumirpc.ErrorResourceInitFailed") continue;
                const failed = m.providerPb.ErrorResourceInitFailed.deserializeBinary(detail.getValue_asU8());
                return { id: failed.getId(), properties: this.js(failed.getProperties()), reasons: failed.getReasonsList() };
            }
        }
        return undefined;
    }

    private struct(value: Props): import("google-protobuf/google/protobuf/struct_pb").Struct {
        return this.m.structPb.Struct.fromJavaScript(value as Record<string, import("google-protobuf/google/protobuf/struct_pb").JavaScriptValue>);
    }

    private js(value: import("google-protobuf/google/protobuf/struct_pb").Struct | undefined): Props {
        return (value?.toJavaScript() ?? {}) as Props;
    }

    /** Configure with the stack config (`intune:key` → value; secrets as `secretValue`). */
    async configure(config: Props): Promise<{ acceptSecrets: boolean }> {
        const req = new this.m.providerPb.ConfigureRequest();
        req.setArgs(this.struct(config));
        for (const [k, v] of Object.entries(config)) if (typeof v === "string") req.getVariablesMap().set(k, v);
        const res = await this.call("Configure", this.client.configure, req);
        return { acceptSecrets: res.getAcceptsecrets() };
    }

    async check(urn: string, olds: Props, news: Props): Promise<{ inputs: Props; failures: { property: string; reason: string }[] }> {
        const req = new this.m.providerPb.CheckRequest();
        req.setUrn(urn);
        req.setOlds(this.struct(olds));
        req.setNews(this.struct(news));
        const res = await this.call("Check", this.client.check, req);
        return {
            inputs: this.js(res.getInputs()),
            failures: res.getFailuresList().map((f) => ({ property: f.getProperty(), reason: f.getReason() })),
        };
    }

    async diff(urn: string, id: string, olds: Props, news: Props): Promise<DiffResult> {
        const req = new this.m.providerPb.DiffRequest();
        req.setUrn(urn);
        req.setId(id);
        req.setOlds(this.struct(olds));
        req.setNews(this.struct(news));
        const res = await this.call("Diff", this.client.diff, req);
        const kinds = this.m.providerPb.DiffResponse.DiffChanges;
        const changes = res.getChanges() === kinds.DIFF_SOME ? "some" : res.getChanges() === kinds.DIFF_NONE ? "none" : "unknown";
        return { changes, replaces: res.getReplacesList(), deleteBeforeReplace: res.getDeletebeforereplace() };
    }

    async create(urn: string, properties: Props): Promise<{ id: string; properties: Props }> {
        const req = new this.m.providerPb.CreateRequest();
        req.setUrn(urn);
        req.setProperties(this.struct(properties));
        const res = await this.call("Create", this.client.create, req);
        return { id: res.getId(), properties: this.js(res.getProperties()) };
    }

    async read(urn: string, id: string, properties: Props, inputs?: Props): Promise<{ id: string; properties: Props; inputs: Props | undefined }> {
        const req = new this.m.providerPb.ReadRequest();
        req.setUrn(urn);
        req.setId(id);
        req.setProperties(this.struct(properties));
        if (inputs) req.setInputs(this.struct(inputs));
        const res = await this.call("Read", this.client.read, req);
        return { id: res.getId(), properties: this.js(res.getProperties()), inputs: res.hasInputs() ? this.js(res.getInputs()) : undefined };
    }

    async update(urn: string, id: string, olds: Props, news: Props): Promise<{ properties: Props }> {
        const req = new this.m.providerPb.UpdateRequest();
        req.setUrn(urn);
        req.setId(id);
        req.setOlds(this.struct(olds));
        req.setNews(this.struct(news));
        const res = await this.call("Update", this.client.update, req);
        return { properties: this.js(res.getProperties()) };
    }

    async delete(urn: string, id: string, properties: Props): Promise<void> {
        const req = new this.m.providerPb.DeleteRequest();
        req.setUrn(urn);
        req.setId(id);
        req.setProperties(this.struct(properties));
        await this.call("Delete", this.client.delete, req);
    }

    /** Closes the client and ends the host process. */
    async stop(): Promise<void> {
        this.client.close();
        if (!this.running()) return;
        const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
        this.child.kill("SIGTERM");
        const timer = setTimeout(() => this.child.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
    }
}

/** Where an emulator (or any Graph) is and how to sign in to it: what a test hands the host as stack config. */
export interface GraphTarget {
    graphUrl: string;
    authorityHost: string;
    tenantId: string;
    clientId: string;
    clientSecret: string;
    caPath: string;
}

/**
 * The `intune:*` stack config for a target, as the engine sends it in ConfigureRequest.args: strings, the client
 * secret as a Pulumi secret value, and (as newer engines send typed config) a number.
 */
export function stackConfigFor(target: GraphTarget, extra: Props = {}): Props {
    return {
        "intune:tenantId": target.tenantId,
        "intune:clientId": target.clientId,
        "intune:clientSecret": secretValue(target.clientSecret),
        "intune:graphEndpoint": target.graphUrl,
        "intune:authorityHost": target.authorityHost,
        "intune:caCertificatePath": target.caPath,
        "intune:consistencyTimeoutSeconds": 30,
        "intune:maxRetrySeconds": "30",
        ...extra,
    };
}
