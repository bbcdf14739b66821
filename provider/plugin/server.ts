import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as anyproto from "google-protobuf/google/protobuf/any_pb";
import * as emptyproto from "google-protobuf/google/protobuf/empty_pb";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import * as plugproto from "@pulumi/pulumi/proto/plugin_pb";
import * as provrpc from "@pulumi/pulumi/proto/provider_grpc_pb";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import * as statusproto from "@pulumi/pulumi/proto/status_pb";
import { ProfileCreatedButFailed } from "../profiles/errors";
import { CheckFailure } from "../profiles/kind";
import { Props } from "../profiles/model";
import { ResourceType, resourceTypeNamed } from "../resourceTypes";
import { configure } from "../runtime/configuration";
import { PACKAGE_VERSION } from "../runtime/packageInfo";
import { checkConfig, configChanged, configReader } from "./configuration";
import { invoke } from "./functions";
import { SCHEMA_MODULE } from "../typeTokens";
import { withoutSecrets, withoutSentSecrets, withSecrets } from "./wire";

/**
 * The provider plugin's gRPC service (pulumirpc.ResourceProvider): the engine's calls translated onto the lifecycle
 * of resourceTypes.ts, the same one the dynamic resources' host serves. Served here rather than through
 * `@pulumi/pulumi/provider`'s server, which never passes a provider its configuration (pulumi/pulumi#10915).
 *
 * Calls it answers: GetPluginInfo, GetSchema, CheckConfig, DiffConfig, Configure, Check, Diff, Create, Read (an id
 * alone: `pulumi import`), Update, Delete, Invoke, Cancel. Handshake is left unanswered on purpose: answering it
 * declares preview support, and Create and Update would then be called during previews. Secrets are accepted in
 * the engine's wire form and returned in it (wire.ts).
 */

type Callback<T> = (error: grpc.ServiceError | null, value?: T) => void;
type Handler<Req, Res> = (call: { request: Req }, callback: Callback<Res>) => void;

const plainOf = (s: structproto.Struct | undefined): Props => (s ? (s.toJavaScript() as Props) : {});

/** A Struct of the values (undefined left out, as the wire has no such value). */
const structOf = (values: Props): structproto.Struct => structproto.Struct.fromJavaScript(JSON.parse(JSON.stringify(values)) as Record<string, never>);

/**
 * The error as the engine takes it. A profile made but not finished goes with its id and properties
 * (pulumirpc.ErrorResourceInitFailed), so the engine records it and the next `pulumi up` finishes it.
 */
function serviceError(err: unknown, type: ResourceType | undefined): grpc.ServiceError {
    const message = err instanceof Error ? err.message : String(err);
    const metadata = new grpc.Metadata();
    if (err instanceof ProfileCreatedButFailed) {
        const detail = new provproto.ErrorResourceInitFailed();
        detail.setId(err.id);
        detail.setProperties(structOf(withSecrets(err.properties, type?.secrets ?? [])));
        detail.setReasonsList(err.reasons);
        const packed = new anyproto.Any();
        packed.pack(detail.serializeBinary(), "pulumirpc.ErrorResourceInitFailed");
        const status = new statusproto.Status();
        status.setCode(grpc.status.UNKNOWN);
        status.setMessage(message);
        status.addDetails(packed);
        metadata.add("grpc-status-details-bin", Buffer.from(status.serializeBinary()));
    }
    return Object.assign(new Error(message), { code: grpc.status.UNKNOWN, details: message, metadata });
}

function unary<Req, Res>(answer: (req: Req) => Promise<Res>, typeOf?: (req: Req) => ResourceType | undefined): Handler<Req, Res> {
    return (call, callback) => {
        answer(call.request).then(
            (res) => callback(null, res),
            (err: unknown) => {
                let type: ResourceType | undefined;
                try {
                    type = typeOf?.(call.request);
                } catch {
                    type = undefined;
                }
                callback(serviceError(err, type));
            },
        );
    };
}

/** The resource's type: the request names it; older engines leave it to the URN (`…::<type>::<name>`). */
function typeOf(req: { getType?(): string; getUrn(): string | undefined }): ResourceType {
    const token = req.getType?.() || (req.getUrn() ?? "").split("::")[2]?.split("$").pop() || "";
    if (!token.startsWith(`${SCHEMA_MODULE}:`)) throw new Error(`${token || "(no type)"} is not a resource of the intune provider`);
    return resourceTypeNamed(token.slice(SCHEMA_MODULE.length + 1));
}

function failuresOf(failures: CheckFailure[]): provproto.CheckFailure[] {
    return failures.map((f) => {
        const failure = new provproto.CheckFailure();
        failure.setProperty(f.property);
        failure.setReason(f.reason);
        return failure;
    });
}

let schemaText: string | undefined;

/** The schema scripts/schema.ts wrote beside this file at build time. */
function schema(): string {
    schemaText ??= readFileSync(join(__dirname, "schema.json"), "utf8");
    return schemaText;
}

const checkResponse = (inputs: Props, failures: CheckFailure[]): provproto.CheckResponse =>
    new provproto.CheckResponse().setInputs(structOf(inputs)).setFailuresList(failuresOf(failures));

export const service: grpc.UntypedServiceImplementation = {
    getPluginInfo: unary(async () => new plugproto.PluginInfo().setVersion(PACKAGE_VERSION)),

    getSchema: unary(async (req: provproto.GetSchemaRequest) => {
        if (req.getVersion() !== 0) throw new Error(`schema version ${req.getVersion()} is not served; this provider serves version 0`);
        return new provproto.GetSchemaResponse().setSchema(schema());
    }),

    checkConfig: unary(async (req: provproto.CheckRequest) => {
        const news = plainOf(req.getNews());
        return checkResponse(news, checkConfig(withoutSecrets(news).values));
    }),

    diffConfig: unary(async (req: provproto.DiffRequest) => {
        const changed = configChanged(withoutSecrets(plainOf(req.getOldInputs() ?? req.getOlds())).values, withoutSecrets(plainOf(req.getNews())).values);
        return new provproto.DiffResponse().setChanges(changed ? provproto.DiffResponse.DiffChanges.DIFF_SOME : provproto.DiffResponse.DiffChanges.DIFF_NONE);
    }),

    configure: unary(async (req: provproto.ConfigureRequest) => {
        const variables = new Map(req.getVariablesMap().toArray() as [string, string][]);
        configure(configReader(variables, withoutSecrets(plainOf(req.getArgs())).values));
        return new provproto.ConfigureResponse().setAcceptsecrets(true).setSupportspreview(false).setAcceptresources(false).setAcceptoutputs(false);
    }),

    check: unary(
        async (req: provproto.CheckRequest) => {
            const type = typeOf(req);
            const news = withoutSecrets(plainOf(req.getNews()));
            const { inputs, failures } = await type.check(withoutSecrets(plainOf(req.getOlds())).values, news.values, req.getUrn(), [...news.secret]);
            return checkResponse(withSecrets(inputs, [...type.secrets, ...news.secret]), withoutSentSecrets(failures, news.values, news.secret));
        },
        (req) => typeOf(req),
    ),

    diff: unary(
        async (req: provproto.DiffRequest) => {
            const type = typeOf(req);
            const { changes, replaces, updates } = await type.diff(
                withoutSecrets(plainOf(req.getOlds())).values,
                withoutSecrets(plainOf(req.getNews())).values,
                req.getUrn(),
            );
            return new provproto.DiffResponse()
                .setChanges(changes ? provproto.DiffResponse.DiffChanges.DIFF_SOME : provproto.DiffResponse.DiffChanges.DIFF_NONE)
                .setReplacesList(replaces)
                .setDiffsList([...replaces, ...updates])
                .setDeletebeforereplace(false);
        },
        (req) => typeOf(req),
    ),

    create: unary(
        async (req: provproto.CreateRequest) => {
            const type = typeOf(req);
            const inputs = withoutSecrets(plainOf(req.getProperties()));
            const { id, outs } = await type.create(inputs.values, req.getUrn()).catch((err: unknown) => {
                // A half-made profile goes into the state with its properties: the ones sent secret stay secret there.
                if (err instanceof ProfileCreatedButFailed) Object.assign(err.properties, withSecrets(err.properties, inputs.secret));
                throw err;
            });
            return new provproto.CreateResponse().setId(id).setProperties(structOf(withSecrets(outs, [...type.secrets, ...inputs.secret])));
        },
        (req) => typeOf(req),
    ),

    read: unary(
        async (req: provproto.ReadRequest) => {
            const type = typeOf(req);
            const props = withoutSecrets(plainOf(req.getProperties()));
            // `pulumi import`: nothing is known but the id.
            const imported = Object.keys(props.values).length === 0 && Object.keys(plainOf(req.getInputs())).length === 0;
            const read = imported ? await type.importById(req.getId()) : await type.read(req.getId(), props.values);
            const secret = [...type.secrets, ...props.secret];
            const res = new provproto.ReadResponse().setId(read.id);
            // An empty id tells the engine the resource is gone; it then needs no properties.
            if (read.id) res.setProperties(structOf(withSecrets(read.props, secret))).setInputs(structOf(withSecrets(read.inputs, secret)));
            return res;
        },
        (req) => typeOf(req),
    ),

    update: unary(
        async (req: provproto.UpdateRequest) => {
            const type = typeOf(req);
            const news = withoutSecrets(plainOf(req.getNews()));
            const { outs } = await type.update(req.getId(), withoutSecrets(plainOf(req.getOlds())).values, news.values, req.getUrn());
            return new provproto.UpdateResponse().setProperties(structOf(withSecrets(outs, [...type.secrets, ...news.secret])));
        },
        (req) => typeOf(req),
    ),

    delete: unary(
        async (req: provproto.DeleteRequest) => {
            await typeOf(req).remove(req.getId(), withoutSecrets(plainOf(req.getProperties())).values);
            return new emptyproto.Empty();
        },
        (req) => typeOf(req),
    ),

    invoke: unary(async (req: provproto.InvokeRequest) => {
        const { result, secret } = await invoke(req.getTok(), withoutSecrets(plainOf(req.getArgs())).values);
        return new provproto.InvokeResponse().setReturn(structOf(withSecrets(result, secret)));
    }),

    cancel: unary(async () => new emptyproto.Empty()),
};

/** Serves the plugin on a free loopback port; resolves with the port once it listens. */
export function serve(): Promise<number> {
    const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
    server.addService(provrpc.ResourceProviderService, service);
    return new Promise((resolve, reject) => {
        server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (err, port) => (err ? reject(err) : resolve(port)));
    });
}
