import type { AccessToken, GetTokenOptions, TokenCredential } from "@azure/core-auth";
import { expect } from "chai";
import { randomUUID } from "node:crypto";
import { IncomingMessage, ServerResponse } from "node:http";
import { createServer, Server } from "node:https";
import { AddressInfo, createServer as createTcpServer } from "node:net";
import { GRAPH_READWRITE_ALL, RunningEmulator } from "../../emulator";
import { loadOrCreateTls } from "../../emulator/tls";
import { ClientOptions, GraphClient } from "../../provider/graph/client";
import { createCredential } from "../../provider/graph/credential";
import { Operation } from "../../provider/graph/errors";
import { GraphRequest } from "../../provider/graph/pipeline";
import { Environment, ProviderSettings, resolveSettings } from "../../provider/runtime/settings";
import { TEST_TLS_DIR } from "./emulator";

/**
 * Helpers for the GraphClient suites: settings that point the real client at the emulator (config keys only, never
 * the process environment), a fresh app registration per test (so each test gets its own process-wide budget and
 * its own emulator throttle windows), credential wrappers that count sign-ins, and a tiny recording HTTPS server for
 * what the emulator does not log (request headers) or cannot answer (an HTTP-date Retry-After).
 */

/** Stack config without the `intune:` prefix: `{ tenantId: "...", debug: "true" }`. */
export type Config = Record<string, string | undefined>;

export const DEVICE_OWNER_PATH = "/deviceManagement/androidDeviceOwnerEnrollmentProfiles";
export const LEGACY_PATH = "/deviceManagement/androidForWorkEnrollmentProfiles";

export const MODE = {
    dedicated: "corporateOwnedDedicatedDevice",
    fullyManaged: "corporateOwnedFullyManaged",
    aospUserless: "corporateOwnedAOSPUserlessDevice",
} as const;

/** Settings from `config` alone: an empty environment, so nothing from the machine running the tests leaks in. */
export function settingsFrom(config: Config, env: Environment = {}): ProviderSettings {
    return resolveSettings((key) => config[key.replace(/^intune:/, "")], env);
}

export interface TestApp {
    clientId: string;
    secret: string;
}

/** Registers a new app in the emulated tenant (secret sign-in, ReadWrite.All unless told otherwise). */
export function newApp(
    emulator: RunningEmulator,
    roles: string[] = [GRAPH_READWRITE_ALL],
    extra: { certificatePem?: string; federatedSubject?: string } = {},
): TestApp {
    const app: TestApp = { clientId: randomUUID(), secret: `secret-${randomUUID()}` };
    emulator.registerApp({
        clientId: app.clientId,
        displayName: "graph client test app",
        secret: app.secret,
        roles,
        certificatePem: extra.certificatePem,
        federatedCredentials: extra.federatedSubject ? [{ issuer: `${emulator.url}/_github/oidc`, subject: extra.federatedSubject }] : undefined,
    });
    return app;
}

/** Config that signs `app` in with its secret against the emulator and calls the emulator's Graph. */
export function emulatorConfig(emulator: RunningEmulator, app: TestApp | undefined, extra: Config = {}): Config {
    return {
        tenantId: emulator.tenantId,
        clientId: app?.clientId,
        clientSecret: app?.secret,
        graphEndpoint: emulator.graphUrl,
        authorityHost: emulator.authorityHost,
        caCertificatePath: emulator.caPath,
        ...extra,
    };
}

/** Fast backoff for tests; production defaults are seconds. */
export const FAST_RETRY: ClientOptions["retry"] = { baseDelayMs: 25, maxDelayMs: 400 };

export function clientFor(config: Config, options: ClientOptions = {}): GraphClient {
    return new GraphClient(settingsFrom(config), { retry: FAST_RETRY, ...options });
}

/** A client for a fresh app of its own, signing in with a secret. */
export function freshClient(emulator: RunningEmulator, extra: Config = {}, options: ClientOptions = {}): { client: GraphClient; app: TestApp } {
    const app = newApp(emulator);
    return { client: clientFor(emulatorConfig(emulator, app, extra), options), app };
}

/** Counts getToken calls and keeps every token handed out, across the fresh credentials the client makes after a 401. */
export class CredentialSpy {
    calls = 0;
    credentialsMade = 0;
    readonly tokens: string[] = [];
    /** Tokens to hand out before asking the real credential (a garbage or expired one, to provoke a 401). */
    readonly queued: string[] = [];

    readonly factory = (settings: ProviderSettings): TokenCredential => {
        this.credentialsMade += 1;
        const inner = createCredential(settings);
        return {
            getToken: async (scopes: string | string[], options?: GetTokenOptions): Promise<AccessToken | null> => {
                this.calls += 1;
                const queued = this.queued.shift();
                if (queued !== undefined) return { token: queued, expiresOnTimestamp: Date.now() + 3600_000 };
                const token = await inner.getToken(scopes, options);
                if (token) this.tokens.push(token.token);
                return token;
            },
        };
    };
}

export function op(description: string, kind: Operation["kind"] = "write"): Operation {
    return { description, kind };
}

export const READ: Operation = op("Reading Android enrollment profiles", "read");

/** A first-attempt GET of one profile, as the transport at the end of the chain receives it. */
export function transportGet(url: string): GraphRequest {
    return { operation: { description: "Reading a profile", kind: "read" }, method: "GET", url, headers: {}, nonIdempotent: false, attempt: 1 };
}

/** The rejection of `promise`; fails the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
    try {
        await promise;
    } catch (err) {
        expect(err).to.be.instanceOf(Error);
        return err as Error;
    }
    throw new Error("expected the call to fail, but it succeeded");
}

/** The create probe the provider uses: look the profile up by its display name. */
export function probeByName(client: GraphClient, displayName: string, path = DEVICE_OWNER_PATH): () => Promise<unknown | undefined> {
    return async () => {
        const found = await client.list(op(`Looking for "${displayName}"`, "read"), path, { $filter: `displayName eq '${displayName.replace(/'/g, "''")}'` });
        return found[0];
    };
}

export function profileBody(displayName: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { "@odata.type": "#microsoft.graph.androidDeviceOwnerEnrollmentProfile", displayName, enrollmentMode: MODE.dedicated, ...extra };
}

export async function createDirect(
    client: GraphClient,
    displayName: string,
    extra: Record<string, unknown> = {},
): Promise<{ id: string } & Record<string, unknown>> {
    const created = await client.create(
        op(`Creating Android enrollment profile "${displayName}"`),
        DEVICE_OWNER_PATH,
        profileBody(displayName, extra),
        probeByName(client, displayName),
    );
    return created as { id: string } & Record<string, unknown>;
}

/** A TCP port nothing listens on (bound, then closed). */
export async function closedPort(): Promise<number> {
    const server = createTcpServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return port;
}

export interface SeenRequest {
    method: string;
    url: string;
    headers: IncomingMessage["headers"];
    at: number;
}

export interface FakeAnswer {
    status: number;
    headers?: Record<string, string>;
    body?: unknown;
}

/**
 * A minimal HTTPS "Graph" with the emulator's certificate: answers each request with the next scripted answer
 * (the last one repeats) and records method, URL and headers.
 */
export class FakeGraph {
    readonly seen: SeenRequest[] = [];
    private server: Server | undefined;
    url = "";
    /** The CA that signed the fake's certificate (the emulator's test CA). */
    caPath = "";
    /** Connections the fake accepted. */
    connections = 0;

    constructor(private readonly answers: FakeAnswer[]) {}

    async start(): Promise<this> {
        const tls = await loadOrCreateTls(TEST_TLS_DIR);
        this.caPath = tls.caPath;
        this.server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req: IncomingMessage, res: ServerResponse) => {
            req.resume();
            req.on("end", () => {
                this.seen.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, at: Date.now() });
                const answer = this.answers[Math.min(this.seen.length - 1, this.answers.length - 1)];
                const text = answer.body === undefined ? "" : JSON.stringify(answer.body);
                res.writeHead(answer.status, { ...(text ? { "Content-Type": "application/json" } : {}), "request-id": randomUUID(), ...answer.headers });
                res.end(text);
            });
        });
        this.server.on("connection", () => this.connections++);
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", () => resolve()));
        this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
        return this;
    }

    async stop(): Promise<void> {
        if (!this.server) return;
        this.server.closeAllConnections();
        await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    }
}

/** A JWT-shaped token (header.claims.signature) whose signature no one issued: Graph answers 401 to it. */
export function forgedJwt(tenantId: string): string {
    const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString("base64url");
    const now = Math.floor(Date.now() / 1000);
    return `${b64({ typ: "JWT", alg: "RS256", kid: "forged" })}.${b64({ aud: "https://graph.microsoft.com", tid: tenantId, exp: now + 3600, nbf: now, roles: [GRAPH_READWRITE_ALL] })}.${Buffer.from(randomUUID()).toString("base64url")}`;
}

/** Parses a JWT's claims without verifying it. */
export function jwtClaims(token: string): Record<string, unknown> {
    return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
}

export const GUID_TEXT = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
