import { expect } from "chai";
import { request } from "node:https";
import { connect as connectTls } from "node:tls";
import { useEmulator } from "./support/emulator";

/** The emulator offers HTTP/2 in ALPN as Microsoft Graph does, serves HTTP/1.1 clients, and can play a service (or middlebox) that speaks only HTTP/1.1. */

const alpnOf = (url: string, ca: string): Promise<string | false> =>
    new Promise((resolve, reject) => {
        const u = new URL(url);
        const socket = connectTls({ host: u.hostname, port: Number(u.port), ca, ALPNProtocols: ["h2", "http/1.1"] }, () => {
            resolve(socket.alpnProtocol ?? false);
            socket.destroy();
        });
        socket.on("error", reject);
    });

function fetchHttp1(url: string, ca: string): Promise<{ status: number; version: string }> {
    return new Promise((resolve, reject) => {
        const req = request(url, { ca }, (res) => {
            res.resume();
            res.on("end", () => resolve({ status: res.statusCode ?? 0, version: res.httpVersion }));
        });
        req.on("error", reject);
        req.end();
    });
}

describe("emulator: HTTP/2 as Graph offers it, HTTP/1.1 on request or by the switch", function () {
    this.timeout(30_000);

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
