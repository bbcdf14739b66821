import { EmulatorOptions, RecordedRequest, startEmulator } from "pulumi-intune-enrollment/dist/emulator";

/**
 * The Graph emulator in its own process, controlled over IPC: Graph is remote in real life, so its CPU (QR codes,
 * JSON, TLS) must not share an event loop with the client being measured. Started by emulatorProcess.ts.
 */

type Command = { cmd: string; arg?: unknown };

/**
 * The emulator renders a real PNG QR code for every token on its one event loop: 37 ms for a GMS profile, 108 ms
 * for an AOSP one on the machine this was written on, so it serves about 20 creates a second, well below the
 * 50 writes a second that the scaled window allows, and the benchmark would measure the emulator instead of the
 * throttle. Real Graph renders in parallel across its fleet. So, unless BENCH_REAL_QR=1, each QR layout (content
 * length and prefix: one per mode and Wi-Fi setup) is rendered once, for real, and that image is reused for every
 * later token of the same layout: the same size, but not a code for that token. Nothing in the benchmark decodes the
 * image; the provider checks the token in qrCodeContent, which stays exact.
 */
function renderEachQrLayoutOnce(): void {
    type Image = { "@odata.type": string; type: string; value: string };
    const tokens = require("pulumi-intune-enrollment/dist/emulator/enrollmentToken") as { qrCodeImage: (content: string) => Promise<Image> };
    const real = tokens.qrCodeImage;
    const layouts = new Map<string, Promise<Image>>();
    tokens.qrCodeImage = (content: string): Promise<Image> => {
        const key = `${content.length}:${content.slice(0, 32)}`;
        let image = layouts.get(key);
        if (!image) layouts.set(key, (image = real(content)));
        return image.then((i) => ({ ...i }));
    };
}

async function main(): Promise<void> {
    const options = JSON.parse(process.env.BENCH_EMULATOR_OPTIONS ?? "{}") as EmulatorOptions;
    if (process.env.BENCH_REAL_QR !== "1") renderEachQrLayoutOnce();
    const emulator = await startEmulator({ ...options, recordRequests: true });
    const reply = (cmd: string, payload: Record<string, unknown> = {}): void => {
        process.send!({ type: `${cmd}:done`, ...payload });
    };
    process.on("message", (m: Command) => {
        void (async () => {
            try {
                switch (m.cmd) {
                    case "requests": {
                        // Only what the benchmark counts, to keep the message small.
                        const log = emulator.requests().map((r: RecordedRequest) => [r.at, r.method, r.operation, r.status, r.path]);
                        return reply(m.cmd, { log });
                    }
                    case "clearRequests":
                        emulator.clearRequests();
                        return reply(m.cmd);
                    case "reset":
                        emulator.reset();
                        return reply(m.cmd);
                    case "setThrottle":
                        emulator.setThrottle(m.arg as never);
                        return reply(m.cmd);
                    case "issueToken":
                        return reply(m.cmd, { token: emulator.issueToken({ clientId: emulator.defaultApp.clientId, lifetimeSeconds: 4 * 3600 }) });
                    case "profileCounts":
                        return reply(m.cmd, {
                            deviceOwner: emulator.profiles("androidDeviceOwnerEnrollmentProfiles").length,
                            forWork: emulator.profiles("androidForWorkEnrollmentProfiles").length,
                        });
                    case "stop":
                        await emulator.stop();
                        process.exit(0);
                        return;
                    default:
                        return reply(m.cmd, { error: `unknown command ${m.cmd}` });
                }
            } catch (err) {
                reply(m.cmd, { error: err instanceof Error ? err.message : String(err) });
            }
        })();
    });
    // The benchmark went away without stopping us: do not outlive it.
    process.on("disconnect", () => process.exit(0));
    process.send!({
        type: "ready",
        info: {
            graphUrl: emulator.graphUrl,
            authorityHost: emulator.authorityHost,
            tenantId: emulator.tenantId,
            caPath: emulator.caPath,
            caPem: emulator.caPem,
            clientId: emulator.defaultApp.clientId,
            clientSecret: emulator.defaultApp.secret,
        },
    });
}

main().catch((err) => {
    process.stderr.write(`emulator child failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
});
