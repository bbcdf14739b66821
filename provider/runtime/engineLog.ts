import { dirname } from "node:path";

/**
 * Messages for the person running `pulumi up`, through the engine's own Log service, so a warning shows as a
 * warning (stderr of a provider plugin shows only as an info line). The dynamic-provider host is started with the
 * engine's address as its argument, and the provider plugin tells it (useEngine); elsewhere (tests, scripts, the orphans
 * command) the line goes to stderr.
 */

type Severity = "info" | "warning";

interface EngineLogClient {
    log(request: unknown, callback: (err: Error | null) => void): void;
}

let client: EngineLogClient | null | undefined;

let knownAddress: string | undefined;

/** The engine's address, told by a process that knows it otherwise (the provider plugin, from its arguments). */
export function useEngine(address: string): void {
    knownAddress = address;
    client = undefined;
}

function engineAddress(): string | undefined {
    if (knownAddress) return knownAddress;
    // `pulumi-resource-pulumi-nodejs <engine>`: node, the host script, then the engine's host:port.
    if (!/dynamic-provider/.test(process.argv[1] ?? "")) return undefined;
    return process.argv.slice(2).find((a) => /^[\w.\-[\]:]+:\d+$/.test(a));
}

function engineClient(): EngineLogClient | null {
    if (client !== undefined) return client;
    client = null;
    const address = engineAddress();
    if (!address) return client;
    try {
        // The gRPC library of the @pulumi/pulumi that hosts us: its generated client classes need that very copy.
        const pulumiDir = dirname(require.resolve("@pulumi/pulumi/package.json"));
        const grpc = require(require.resolve("@grpc/grpc-js", { paths: [pulumiDir] })) as { credentials: { createInsecure(): unknown } };
        const engrpc = require("@pulumi/pulumi/proto/engine_grpc_pb") as { EngineClient: new (addr: string, creds: unknown) => EngineLogClient };
        client = new engrpc.EngineClient(address, grpc.credentials.createInsecure());
    } catch {
        client = null;
    }
    return client;
}

/**
 * Sends the message; resolves once the engine has it (or after a short wait), so a caller about to return to the
 * engine can await it: a preview ends, and its provider host is stopped, right after the last diff.
 */
export function engineLog(severity: Severity, message: string, urn?: string): Promise<void> {
    const engine = engineClient();
    if (!engine) {
        process.stderr.write(`${severity}: ${message}\n`);
        return Promise.resolve();
    }
    const engproto = require("@pulumi/pulumi/proto/engine_pb") as {
        LogRequest: new () => { setSeverity(s: number): void; setMessage(m: string): void; setUrn(u: string): void };
        LogSeverity: { INFO: number; WARNING: number };
    };
    const request = new engproto.LogRequest();
    request.setSeverity(severity === "warning" ? engproto.LogSeverity.WARNING : engproto.LogSeverity.INFO);
    request.setMessage(message);
    // Attached to a resource, the engine shows it with that resource, in every display (`preview --diff` included).
    if (urn) request.setUrn(urn);
    return new Promise<void>((resolve) => {
        const fallback = setTimeout(() => {
            process.stderr.write(`${severity}: ${message}\n`);
            resolve();
        }, 2000);
        fallback.unref();
        engine.log(request, (err) => {
            clearTimeout(fallback);
            if (err) process.stderr.write(`${severity}: ${message}\n`);
            resolve();
        });
    });
}
