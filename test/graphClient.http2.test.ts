import { expect } from "chai";
import { spawn } from "node:child_process";
import { constants, createSecureServer, Http2SecureServer, ServerHttp2Session, ServerHttp2Stream } from "node:http2";
import { AddressInfo, Socket } from "node:net";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { connect as connectTls } from "node:tls";
import { loadOrCreateTls } from "../emulator/tls";
import { httpTransport } from "../provider/graph/handlers/transport";
import { GraphResponse, Next, TransportFailure } from "../provider/graph/pipeline";
import { TEST_TLS_DIR, useEmulator } from "./support/emulator";
import { FakeGraph, transportGet } from "./support/graphClient";

/**
 * Graph over HTTP/2: one connection per origin carries every request as a stream, and a service that speaks only
 * HTTP/1.1 still gets HTTP/1.1. Each failure of a stream must be judged as its HTTP/1.1 counterpart is: whether the
 * request may have reached the service decides whether a create can be sent again.
 */

const get = transportGet;

const failureOf = (p: Promise<GraphResponse>): Promise<TransportFailure> =>
    p.then(
        () => expect.fail("the request was expected to fail"),
        (err: unknown) => {
            expect(err).to.be.instanceOf(TransportFailure);
            return err as TransportFailure;
        },
    );

/** An HTTP/2-only "Graph" whose answer to each stream the test decides; counts connections and streams at once. */
class FakeGraph2 {
    server: Http2SecureServer | undefined;
    url = "";
    ca = "";
    connections = 0;
    streams = 0;
    mostAtOnce = 0;
    private open = 0;
    private readonly sessions = new Set<ServerHttp2Session>();

    constructor(
        private readonly answer: (stream: ServerHttp2Stream, n: number) => void,
        private readonly settings: { maxConcurrentStreams?: number } = {},
    ) {}

    async start(): Promise<this> {
        const tls = await loadOrCreateTls(TEST_TLS_DIR);
        this.ca = tls.caPem;
        this.server = createSecureServer({ key: tls.keyPem, cert: tls.certPem, settings: this.settings });
        this.server.on("secureConnection", () => this.connections++);
        this.server.on("session", (session) => {
            this.sessions.add(session);
            session.on("close", () => this.sessions.delete(session));
        });
        this.server.on("stream", (stream) => {
            const n = ++this.streams;
            this.open++;
            this.mostAtOnce = Math.max(this.mostAtOnce, this.open);
            stream.on("close", () => this.open--);
            stream.on("error", () => undefined);
            this.answer(stream, n);
        });
        await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", () => resolve()));
        this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
        return this;
    }

    async stop(): Promise<void> {
        // The server's side of each connection is closed too: close() alone waits for the clients to leave.
        for (const session of this.sessions) session.destroy();
        await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
    }
}

const ok = (stream: ServerHttp2Stream): void => {
    stream.respond({ ":status": 200, "content-type": "application/json", "request-id": "r-1" });
    stream.end(JSON.stringify({ id: "p1" }));
};

describe("graph client transport: HTTP/2 where the service offers it", function () {
    this.timeout(30_000);
    const fakes: FakeGraph2[] = [];
    const fake = async (answer: (stream: ServerHttp2Stream, n: number) => void, settings?: { maxConcurrentStreams?: number }): Promise<FakeGraph2> => {
        const f = await new FakeGraph2(answer, settings).start();
        fakes.push(f);
        return f;
    };
    afterEach(async () => {
        for (const f of fakes.splice(0)) await f.stop();
    });

    it("sends every request of a run as a stream of one connection, with its answer's status, headers and body", async () => {
        const graph = await fake(ok);
        const send = httpTransport({ timeoutMs: 10_000, caCertificate: graph.ca });
        const answers = await Promise.all(Array.from({ length: 40 }, () => send(get(`${graph.url}/beta/x?$select=id`))));
        expect(answers.map((a) => a.status)).to.deep.equal(Array(40).fill(200));
        expect(answers[0].body).to.deep.equal({ id: "p1" });
        expect(answers[0].headers["request-id"]).to.equal("r-1");
        expect(graph.streams).to.equal(40);
        expect(graph.connections, "one TLS connection").to.equal(1);
    });

    it("holds back what exceeds the service's stream limit, and every request is answered", async () => {
        const graph = await fake((stream) => setTimeout(() => ok(stream), 10), { maxConcurrentStreams: 3 });
        const send = httpTransport({ timeoutMs: 10_000, caCertificate: graph.ca });
        const answers = await Promise.all(Array.from({ length: 30 }, () => send(get(`${graph.url}/beta/x`))));
        expect(answers.every((a) => a.status === 200)).to.equal(true);
        expect(graph.mostAtOnce).to.be.at.most(3);
    });

    it("fails an answer the service cut short (its stream reset) as a reset that may have been sent", async () => {
        // The three ways an answer stops early: its stream reset, its stream ended short of its length, the connection lost.
        const cuts: ((stream: ServerHttp2Stream) => void)[] = [
            (stream) => stream.close(constants.NGHTTP2_INTERNAL_ERROR),
            (stream) => stream.destroy(),
            (stream) => stream.session?.destroy(),
        ];
        for (const cut of cuts) {
            const graph = await fake((stream) => {
                stream.respond({ ":status": 200, "content-type": "application/json", "content-length": "100" });
                stream.write('{"id":"p1",');
                setTimeout(() => cut(stream), 20);
            });
            const failure = await failureOf(httpTransport({ timeoutMs: 10_000, caCertificate: graph.ca })(get(`${graph.url}/beta/x`)));
            expect(failure.reason).to.match(/reset/);
            expect(failure.sent).to.equal(true);
            expect(failure.timedOut).to.equal(false);
        }
    });

    it("fails a stream the service refused before reading it as never sent, so even a create may be sent again", async () => {
        const graph = await fake((stream) => stream.close(constants.NGHTTP2_REFUSED_STREAM));
        const failure = await failureOf(httpTransport({ timeoutMs: 10_000, caCertificate: graph.ca })(get(`${graph.url}/beta/x`)));
        expect(failure.sent).to.equal(false);
    });

    it("times a stream out when no answer comes, like a request over HTTP/1.1", async () => {
        const graph = await fake(() => undefined);
        const failure = await failureOf(httpTransport({ timeoutMs: 300, caCertificate: graph.ca })(get(`${graph.url}/beta/x`)));
        expect(failure.timedOut).to.equal(true);
        expect(failure.reason).to.match(/timed out/);
    });

    it("opens a new connection when the service closes one (GOAWAY), and the requests after it are answered", async () => {
        const graph = await fake((stream, n) => {
            ok(stream);
            if (n === 1) stream.session?.goaway();
        });
        const send = httpTransport({ timeoutMs: 10_000, caCertificate: graph.ca });
        expect((await send(get(`${graph.url}/beta/x`))).status).to.equal(200);
        await new Promise((r) => setTimeout(r, 50));
        const later = await Promise.all([1, 2, 3].map(() => send(get(`${graph.url}/beta/x`))));
        expect(later.map((a) => a.status)).to.deep.equal([200, 200, 200]);
        expect(graph.connections).to.equal(2);
    });

    it("lets a finished program exit: an idle connection does not keep the process alive", async () => {
        const graph = await fake(ok);
        const script = [
            `const { httpTransport } = require(${JSON.stringify(join(__dirname, "..", "provider", "graph", "handlers", "transport"))});`,
            `const send = httpTransport({ timeoutMs: 10000, caCertificate: process.env.CA });`,
            `send({ operation: { description: "Reading", kind: "read" }, method: "GET", url: process.env.URL + "/beta/x", headers: {}, nonIdempotent: false, attempt: 1 })`,
            `  .then((a) => console.log("status " + a.status));`,
        ].join("\n");
        const started = Date.now();
        const child = spawn(process.execPath, ["-e", script], { env: { ...process.env, CA: graph.ca, URL: graph.url } });
        let out = "";
        child.stdout.on("data", (c: Buffer) => (out += c.toString()));
        const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
        expect(out.trim()).to.equal("status 200");
        expect(code).to.equal(0);
        expect(Date.now() - started, "exited once its request was answered").to.be.below(8000);
    });

    it("speaks HTTP/1.1 to a service that offers HTTP/2 too when told to (intune:http2: false)", async () => {
        const tls = await loadOrCreateTls(TEST_TLS_DIR);
        const versions: string[] = [];
        const server = createSecureServer({ key: tls.keyPem, cert: tls.certPem, allowHTTP1: true }, (req, res) => {
            versions.push(req.httpVersion);
            res.writeHead(200, { "content-type": "application/json" }).end("{}");
        });
        const sockets = new Set<Socket>();
        server.on("connection", (socket: Socket) => sockets.add(socket));
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
        const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/beta/x`;
        try {
            for (const http2 of [false, true])
                expect((await httpTransport({ timeoutMs: 10_000, caCertificate: tls.caPem, http2 })(get(url))).status).to.equal(200);
            expect(versions).to.deep.equal(["1.1", "2.0"]);
        } finally {
            for (const socket of sockets) socket.destroy();
            await new Promise<void>((resolve) => server.close(() => resolve()));
        }
    });

    it("speaks HTTP/1.1 to a service that offers only that, and asks only once", async () => {
        const graph = await new FakeGraph([{ status: 200, body: { id: "p1" } }]).start();
        try {
            const send: Next = httpTransport({ timeoutMs: 10_000, caCertificate: readFileSync(graph.caPath, "utf8") });
            for (let i = 0; i < 5; i++) expect((await send(get(`${graph.url}/beta/x`))).status).to.equal(200);
            expect(graph.seen).to.have.length(5);
            // One connection to learn the protocol, then one kept-alive HTTP/1.1 connection for all five.
            expect(graph.connections).to.equal(2);
        } finally {
            await graph.stop();
        }
    });
});

describe("emulator: HTTP/2 as Graph offers it, HTTP/1.1 on request or by the switch", function () {
    this.timeout(30_000);
    const alpnOf = (url: string, ca: string): Promise<string | false> =>
        new Promise((resolve, reject) => {
            const u = new URL(url);
            const socket = connectTls({ host: u.hostname, port: Number(u.port), ca, ALPNProtocols: ["h2", "http/1.1"] }, () => {
                resolve(socket.alpnProtocol ?? false);
                socket.destroy();
            });
            socket.on("error", reject);
        });

    describe("by default", () => {
        const ctx = useEmulator();
        it("offers HTTP/2 in ALPN and still serves a client that asks for HTTP/1.1", async () => {
            expect(await alpnOf(ctx.emulator.graphUrl, ctx.emulator.caPem)).to.equal("h2");
            const answer = await fetchHttp1(`${ctx.emulator.graphUrl}/beta/$metadata`, ctx.emulator.caPem);
            expect(answer).to.deep.equal({ status: 200, version: "1.1" });
        });
    });

    describe("with http2: false", () => {
        const ctx = useEmulator({ http2: false });
        it("offers only HTTP/1.1", async () => {
            expect(await alpnOf(ctx.emulator.graphUrl, ctx.emulator.caPem)).to.not.equal("h2");
        });
    });
});

async function fetchHttp1(url: string, ca: string): Promise<{ status: number; version: string }> {
    const { request } = await import("node:https");
    return new Promise((resolve, reject) => {
        const req = request(url, { ca }, (res) => {
            res.resume();
            res.on("end", () => resolve({ status: res.statusCode ?? 0, version: res.httpVersion }));
        });
        req.on("error", reject);
        req.end();
    });
}
