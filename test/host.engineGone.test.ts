import { expect } from "chai";
import { createServer, Server, Socket } from "node:net";
import { resolve } from "node:path";
import { engineAddressOfHost } from "../provider/runtime/engineWatch";
import { useEmulator } from "./support/emulator";
import { DEVICE_OWNER_TYPE, DynamicProviderHost, providerText, stackConfigFor, urnFor } from "./support/hostClient";

/**
 * The dynamic-provider host is started by the engine and serves until the engine closes it; a killed CLI never
 * does. Once the provider is loaded into the host, the host must end itself when the engine goes away, and must
 * not when the engine is alive or was never there to begin with (hosts started by hand or by tests).
 */

const REPO_ROOT = resolve(__dirname, "..", "..");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Stands in for the engine's gRPC port: the watch only needs it to accept connections. */
async function fakeEngine(): Promise<{ address: string; close(): Promise<void> }> {
    const sockets = new Set<Socket>();
    const server: Server = createServer((s) => {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as { port: number }).port;
    return {
        address: `127.0.0.1:${port}`,
        close: () =>
            new Promise<void>((r) => {
                server.close(() => r());
                for (const s of sockets) s.destroy();
            }),
    };
}

describe("the dynamic-provider host when the engine goes away", function () {
    this.timeout(60_000);
    const ctx = useEmulator();
    let host: DynamicProviderHost | undefined;
    afterEach(async () => {
        await host?.stop();
        host = undefined;
    });

    /** Configure and Check: the host loads the provider, and with it the watch. */
    async function loadProvider(h: DynamicProviderHost): Promise<void> {
        const e = ctx.emulator;
        await h.configure(
            stackConfigFor({
                graphUrl: e.graphUrl,
                authorityHost: e.authorityHost,
                tenantId: e.tenantId,
                clientId: e.defaultApp.clientId,
                clientSecret: e.defaultApp.secret,
                caPath: e.caPath,
            }),
        );
        const text = providerText("androidDeviceOwnerEnrollmentProfile");
        const checked = await h.check(
            urnFor(DEVICE_OWNER_TYPE, "kiosk"),
            {},
            { displayName: "Kiosk", enrollmentMode: "corporateOwnedFullyManaged", __provider: text },
        );
        expect(checked.failures).to.deep.equal([]);
    }

    it("keeps serving while the engine answers, and exits within seconds once it stops answering", async () => {
        const engine = await fakeEngine();
        host = await DynamicProviderHost.start({ cwd: REPO_ROOT, engineAddress: engine.address });
        await loadProvider(host);
        await sleep(2_500);
        expect(host.running(), "host with a live engine").to.equal(true);

        await engine.close();
        const closedAt = Date.now();
        while (host.running() && Date.now() - closedAt < 5_000) await sleep(100);
        expect(host.running(), "host 5 s after the engine went away").to.equal(false);
    });

    it("leaves a host alone whose engine address never answered", async () => {
        host = await DynamicProviderHost.start({ cwd: REPO_ROOT, engineAddress: "127.0.0.1:1" });
        await loadProvider(host);
        await sleep(3_500);
        expect(host.running()).to.equal(true);
    });

    it("arms only in the dynamic-provider host: node <@pulumi/pulumi>/cmd/dynamic-provider <engine address>", () => {
        expect(engineAddressOfHost(["node", "/p/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js", "127.0.0.1:4321"])).to.deep.equal({
            host: "127.0.0.1",
            port: 4321,
        });
        expect(engineAddressOfHost(["node", "/p/node_modules/@pulumi/pulumi/cmd/dynamic-provider", "[::1]:4321"])).to.deep.equal({ host: "::1", port: 4321 });
        expect(engineAddressOfHost(["node", "/p/node_modules/mocha/bin/mocha.js", "127.0.0.1:4321"])).to.equal(undefined);
        expect(engineAddressOfHost(["node", "/p/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js"])).to.equal(undefined);
    });
});
