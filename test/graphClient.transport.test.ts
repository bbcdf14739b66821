import { expect } from "chai";
import { readFileSync } from "node:fs";
import { createServer as createHttpServer, Server as HttpServer } from "node:http";
import { AddressInfo, connect, Socket } from "node:net";
import { createServer as createTlsServer, Server as TlsServer } from "node:tls";
import { loadOrCreateTls } from "../emulator/tls";
import { httpTransport, proxyVariableSet, Slots } from "../provider/graph/handlers/transport";
import { TransportFailure } from "../provider/graph/pipeline";
import { TEST_TLS_DIR } from "./support/emulator";
import { FakeGraph, transportGet } from "./support/graphClient";

/** The HTTP exchange at the end of the chain: straight through node:https, or through a proxy the environment names. */

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

    it("tells a proxy variable for https from none (empty values and http_proxy do not count)", () => {
        expect(proxyVariableSet({})).to.equal(false);
        expect(proxyVariableSet({ HTTPS_PROXY: "", http_proxy: "http://proxy:3128" })).to.equal(false);
        expect(proxyVariableSet({ HTTPS_PROXY: "http://proxy:3128" })).to.equal(true);
        expect(proxyVariableSet({ https_proxy: "http://proxy:3128" })).to.equal(true);
        expect(proxyVariableSet({ ALL_PROXY: "http://proxy:3128" })).to.equal(true);
    });

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

describe("graph client transport: connections are handed out in turn", () => {
    it("lets at most its size through at once and the others in the order they came", async () => {
        const slots = new Slots(2);
        const order: number[] = [];
        let inside = 0;
        let most = 0;
        const work = async (i: number): Promise<void> => {
            await slots.take();
            inside++;
            most = Math.max(most, inside);
            order.push(i);
            await new Promise((r) => setTimeout(r, 5));
            inside--;
            slots.give();
        };
        await Promise.all([0, 1, 2, 3, 4, 5].map(work));
        expect(most).to.equal(2);
        expect(order).to.deep.equal([0, 1, 2, 3, 4, 5]);
        // Every slot came back: as many pass at once as before.
        await Promise.all([slots.take(), slots.take()]);
    });

    it("keeps that order through a queue of thousands that keeps growing while it is served", async () => {
        const slots = new Slots(3);
        const order: number[] = [];
        const work = async (i: number): Promise<void> => {
            await slots.take();
            order.push(i);
            // Newcomers join while the first ones are served, so the queue is cut down while it is not empty.
            if (i < 500) void work(i + 5000);
            await Promise.resolve();
            slots.give();
        };
        await Promise.all(Array.from({ length: 5000 }, (_, i) => work(i)));
        while (order.length < 5500) await new Promise((r) => setImmediate(r));
        expect(order.slice(0, 5000)).to.deep.equal(Array.from({ length: 5000 }, (_, i) => i));
        expect(order.slice(5000)).to.deep.equal(Array.from({ length: 500 }, (_, i) => i + 5000));
        await Promise.all([slots.take(), slots.take(), slots.take()]);
    });
});
