import { expect } from "chai";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer as createHttpServer, Server as HttpServer } from "node:http";
import { createSecureServer } from "node:http2";
import { AddressInfo, connect, Socket } from "node:net";
import { join } from "node:path";
import { createServer as createTlsServer, Server as TlsServer } from "node:tls";
import { loadOrCreateTls } from "../emulator/tls";
import { httpTransport, MAX_CONNECTIONS } from "../provider/graph/handlers/transport";
import { GraphResponse, TransportFailure } from "../provider/graph/pipeline";
import { TEST_TLS_DIR } from "./support/emulator";
import { FakeGraph, transportGet } from "./support/graphClient";

/**
 * The HTTP exchange at the end of the chain: axios over HTTP/1.1 keep-alive connections, straight to Graph or through
 * the proxy the environment names, against real servers: a CONNECT proxy, a service that offers HTTP/2 too, one (or a
 * middlebox) that speaks only HTTP/1.1, and servers that cut answers short or never answer.
 */

const PROXY_ENV = ["https_proxy", "HTTPS_PROXY", "all_proxy", "ALL_PROXY", "no_proxy", "NO_PROXY"];

const get = transportGet;

/** A forward proxy that only tunnels (CONNECT), as corporate proxies do for https, and counts the tunnels it opened. */
async function connectProxy(): Promise<{ url: string; tunnels: string[]; stop: () => Promise<void> }> {
    const tunnels: string[] = [];
    const sockets = new Set<Socket>();
    const server: HttpServer = createHttpServer((_req, res) => res.writeHead(405).end());
    server.on("connect", (req, client: Socket) => {
        tunnels.push(req.url ?? "");
        const [host, port] = (req.url ?? "").split(":");
        const upstream = connect(Number(port), host, () => {
            client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
            upstream.pipe(client);
            client.pipe(upstream);
        });
        for (const s of [client, upstream]) {
            sockets.add(s);
            s.on("error", () => undefined);
            s.on("close", () => sockets.delete(s));
        }
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
    return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        tunnels,
        stop: async () => {
            for (const s of sockets) s.destroy();
            await new Promise<void>((resolve) => server.close(() => resolve()));
        },
    };
}

describe("graph client transport: how a request reaches Graph", function () {
    this.timeout(30_000);
    let graph: FakeGraph;
    let ca: string;
    before(async () => {
        graph = await new FakeGraph([{ status: 200, body: { id: "p1", displayName: "Kiosk" } }]).start();
        ca = readFileSync(graph.caPath, "utf8");
    });
    after(() => graph.stop());

    it("goes straight to Graph without a proxy variable, and through the proxy's CONNECT tunnel with HTTPS_PROXY", async () => {
        const proxy = await connectProxy();
        const saved = Object.fromEntries(PROXY_ENV.map((name) => [name, process.env[name]]));
        for (const name of PROXY_ENV) delete process.env[name];
        try {
            const directly = httpTransport({ timeoutMs: 10_000, caCertificate: ca });
            const answer = await directly(get(`${graph.url}/beta/deviceManagement/androidDeviceOwnerEnrollmentProfiles/p1`));
            expect(answer.status).to.equal(200);
            expect(answer.body).to.deep.equal({ id: "p1", displayName: "Kiosk" });
            expect(proxy.tunnels).to.deep.equal([]);

            // The proxy is taken from the environment, as a pipeline sets it.
            process.env.HTTPS_PROXY = proxy.url;
            const proxied = httpTransport({ timeoutMs: 10_000, caCertificate: ca });
            const viaProxy = await proxied(get(`${graph.url}/beta/deviceManagement/androidDeviceOwnerEnrollmentProfiles/p1`));
            expect(viaProxy.status).to.equal(200);
            expect(viaProxy.body).to.deep.equal({ id: "p1", displayName: "Kiosk" });
            expect(proxy.tunnels).to.deep.equal([new URL(graph.url).host]);
            // Both answers' headers arrive lower-cased, as the retry handler reads them.
            expect(answer.headers["request-id"]).to.be.a("string");
            expect(viaProxy.headers["request-id"]).to.be.a("string");
        } finally {
            for (const name of PROXY_ENV)
                if (saved[name] === undefined) delete process.env[name];
                else process.env[name] = saved[name];
            await proxy.stop();
        }
    });

    it("labels a body application/json (Graph reads no other) and a request without one not at all", async () => {
        const service = await new FakeGraph([{ status: 201, body: { id: "p2" } }]).start();
        try {
            const send = httpTransport({ timeoutMs: 10_000, caCertificate: ca });
            const url = `${service.url}/beta/deviceManagement/androidDeviceOwnerEnrollmentProfiles`;
            await send({ ...get(url), method: "POST", body: { displayName: "Kiosk" }, nonIdempotent: true });
            await send(get(`${url}/p2`));
            expect(service.seen.map((r) => r.headers["content-type"])).to.deep.equal(["application/json", undefined]);
        } finally {
            await service.stop();
        }
    });

    it("fails an answer the server cut short as a reset connection that may have been sent, never as a short body", async () => {
        const tls = await loadOrCreateTls(TEST_TLS_DIR);
        const server: TlsServer = createTlsServer({ key: tls.keyPem, cert: tls.certPem }, (socket) => {
            socket.once("data", () => {
                socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"id":"p1",');
                setTimeout(() => socket.destroy(), 20);
            });
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
        try {
            const send = httpTransport({ timeoutMs: 10_000, caCertificate: ca });
            const failure = await send(get(`https://127.0.0.1:${(server.address() as AddressInfo).port}/beta/x`)).then(
                () => undefined,
                (err: unknown) => err,
            );
            expect(failure).to.be.instanceOf(TransportFailure);
            expect((failure as TransportFailure).reason).to.match(/reset/);
            expect((failure as TransportFailure).sent).to.equal(true);
            expect((failure as TransportFailure).timedOut).to.equal(false);
        } finally {
            await new Promise<void>((resolve) => server.close(() => resolve()));
        }
    });
});

/** Sets the proxy variables for the length of `fn` (none but those given), as a pipeline's environment would. */
async function withProxyEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
    const saved = Object.fromEntries(PROXY_ENV.map((name) => [name, process.env[name]]));
    for (const name of PROXY_ENV) delete process.env[name];
    Object.assign(process.env, vars);
    try {
        return await fn();
    } finally {
        for (const name of PROXY_ENV)
            if (saved[name] === undefined) delete process.env[name];
            else process.env[name] = saved[name];
    }
}

const failureOf = (p: Promise<GraphResponse>): Promise<TransportFailure> =>
    p.then(
        () => expect.fail("the request was expected to fail"),
        (err: unknown) => {
            expect(err).to.be.instanceOf(TransportFailure);
            return err as TransportFailure;
        },
    );

describe("graph client transport: connections, protocols and proxies", function () {
    this.timeout(30_000);

    it("leaves out the proxy for a host NO_PROXY names", async () => {
        const graph = await new FakeGraph([{ status: 200, body: { id: "p1" } }]).start();
        const proxy = await connectProxy();
        try {
            await withProxyEnv({ HTTPS_PROXY: proxy.url, NO_PROXY: "127.0.0.1" }, async () => {
                const send = httpTransport({ timeoutMs: 10_000, caCertificate: readFileSync(graph.caPath, "utf8") });
                expect((await send(get(`${graph.url}/beta/x`))).status).to.equal(200);
            });
            expect(proxy.tunnels).to.deep.equal([]);
            expect(graph.seen).to.have.length(1);
        } finally {
            await proxy.stop();
            await graph.stop();
        }
    });

    it("speaks HTTP/1.1 to a service that offers HTTP/2 as well, as Microsoft Graph does", async () => {
        const tls = await loadOrCreateTls(TEST_TLS_DIR);
        const versions: string[] = [];
        const server = createSecureServer({ key: tls.keyPem, cert: tls.certPem, allowHTTP1: true }, (req, res) => {
            versions.push(req.httpVersion);
            res.writeHead(200, { "content-type": "application/json" }).end('{"id":"p1"}');
        });
        const sockets = new Set<Socket>();
        server.on("connection", (socket: Socket) => sockets.add(socket));
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
        try {
            await withProxyEnv({}, async () => {
                const send = httpTransport({ timeoutMs: 10_000, caCertificate: tls.caPem });
                const answer = await send(get(`https://127.0.0.1:${(server.address() as AddressInfo).port}/beta/x`));
                expect(answer.status).to.equal(200);
                expect(answer.body).to.deep.equal({ id: "p1" });
            });
            expect(versions).to.deep.equal(["1.1"]);
        } finally {
            for (const socket of sockets) socket.destroy();
            await new Promise<void>((resolve) => server.close(() => resolve()));
        }
    });

    it("keeps a connection alive across requests to a service (or middlebox) that speaks only HTTP/1.1", async () => {
        const graph = await new FakeGraph([{ status: 200, body: { id: "p1" } }]).start();
        try {
            await withProxyEnv({}, async () => {
                const send = httpTransport({ timeoutMs: 10_000, caCertificate: readFileSync(graph.caPath, "utf8") });
                for (let i = 0; i < 5; i++) expect((await send(get(`${graph.url}/beta/x`))).status).to.equal(200);
            });
            expect(graph.seen).to.have.length(5);
            expect(graph.connections, "one kept-alive connection for all five").to.equal(1);
        } finally {
            await graph.stop();
        }
    });

    it(`opens at most ${MAX_CONNECTIONS} connections however many requests wait, and answers every one`, async () => {
        const tls = await loadOrCreateTls(TEST_TLS_DIR);
        let open = 0;
        let most = 0;
        const sockets = new Set<Socket>();
        const server = createTlsServer({ key: tls.keyPem, cert: tls.certPem }, (socket) => {
            sockets.add(socket);
            most = Math.max(most, ++open);
            socket.on("close", () => open--);
            socket.on("error", () => undefined);
            let buffered = "";
            socket.on("data", (chunk: Buffer) => {
                buffered += chunk.toString("utf8");
                while (buffered.includes("\r\n\r\n")) {
                    buffered = buffered.slice(buffered.indexOf("\r\n\r\n") + 4);
                    setTimeout(() => socket.write("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"), 20);
                }
            });
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
        try {
            const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/beta/x`;
            const answers = await withProxyEnv({}, () => {
                const send = httpTransport({ timeoutMs: 20_000, caCertificate: tls.caPem });
                return Promise.all(Array.from({ length: MAX_CONNECTIONS * 2 + 10 }, () => send(get(url))));
            });
            expect(answers.every((a) => a.status === 200)).to.equal(true);
            expect(most).to.be.at.most(MAX_CONNECTIONS);
            expect(most, "the requests did not go one connection at a time").to.be.above(1);
        } finally {
            for (const socket of sockets) socket.destroy();
            await new Promise<void>((resolve) => server.close(() => resolve()));
        }
    });

    it("times a request out when no answer comes, as may-have-been-sent", async () => {
        const tls = await loadOrCreateTls(TEST_TLS_DIR);
        const sockets = new Set<Socket>();
        const server: TlsServer = createTlsServer({ key: tls.keyPem, cert: tls.certPem }, (socket) => {
            sockets.add(socket);
            socket.on("error", () => undefined);
        });
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
        try {
            const failure = await withProxyEnv({}, () =>
                failureOf(
                    httpTransport({ timeoutMs: 300, caCertificate: tls.caPem })(get(`https://127.0.0.1:${(server.address() as AddressInfo).port}/beta/x`)),
                ),
            );
            expect(failure.timedOut).to.equal(true);
            expect(failure.sent).to.equal(true);
            expect(failure.reason).to.match(/timed out/);
        } finally {
            for (const socket of sockets) socket.destroy();
            await new Promise<void>((resolve) => server.close(() => resolve()));
        }
    });

    it("fails a refused connection as never sent, so even a create may be sent again", async () => {
        const port = await new Promise<number>((resolve) => {
            const probe = createHttpServer().listen(0, "127.0.0.1", () => {
                const p = (probe.address() as AddressInfo).port;
                probe.close(() => resolve(p));
            });
        });
        const failure = await withProxyEnv({}, () => failureOf(httpTransport({ timeoutMs: 5_000 })(get(`https://127.0.0.1:${port}/beta/x`))));
        expect(failure.sent).to.equal(false);
        expect(failure.reason).to.match(/refused/);
    });

    it("fails a certificate nobody trusts for good, naming the settings that add a CA", async () => {
        const graph = await new FakeGraph([{ status: 200, body: {} }]).start();
        try {
            const failure = await withProxyEnv({}, () => failureOf(httpTransport({ timeoutMs: 5_000 })(get(`${graph.url}/beta/x`))));
            expect(failure.permanent).to.equal(true);
            expect(failure.sent).to.equal(false);
            expect(failure.reason).to.include("intune:caCertificatePath");
        } finally {
            await graph.stop();
        }
    });

    it("lets a finished program exit: an idle kept-alive connection does not keep the process alive", async () => {
        const graph = await new FakeGraph([{ status: 200, body: { id: "p1" } }]).start();
        try {
            const script = [
                `const { httpTransport } = require(${JSON.stringify(join(__dirname, "..", "provider", "graph", "handlers", "transport"))});`,
                `const send = httpTransport({ timeoutMs: 10000, caCertificate: process.env.CA });`,
                `send({ operation: { description: "Reading", kind: "read" }, method: "GET", url: process.env.URL + "/beta/x", headers: {}, nonIdempotent: false, attempt: 1 })`,
                `  .then((a) => console.log("status " + a.status));`,
            ].join("\n");
            const started = Date.now();
            const env: NodeJS.ProcessEnv = { ...process.env, CA: readFileSync(graph.caPath, "utf8"), URL: graph.url };
            for (const name of PROXY_ENV) delete env[name];
            const child = spawn(process.execPath, ["-e", script], { env });
            let out = "";
            child.stdout.on("data", (c: Buffer) => (out += c.toString()));
            const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
            expect(out.trim()).to.equal("status 200");
            expect(code).to.equal(0);
            expect(Date.now() - started, "exited once its request was answered").to.be.below(8000);
        } finally {
            await graph.stop();
        }
    });
});
