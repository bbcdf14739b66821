import { chmodSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RunningEmulator, startEmulator } from "../emulator";
import { renderQrCode } from "../provider/qrCode";
import { ensurePulumi, pulumiEnvironment, REPO_ROOT, run } from "./localPulumi";

/**
 * `npm run demo`: the quickstart (Pulumi.yaml at the repository root) deployed with the real Pulumi CLI against a
 * local Graph emulator, shown, checked for a clean second preview, and destroyed. Every step says what it does and,
 * if it fails, what to do about it.
 */

const WORK = join(REPO_ROOT, ".pulumi-local", "demo");
const QR_DIR = join(REPO_ROOT, "qr-codes");
const STACK = "demo";
const SHOW_QR = process.argv.includes("--show-qr");
const steps = 8;
let step = 0;

function say(title: string): void {
    step += 1;
    process.stdout.write(`\n\u001b[1m==> [${step}/${steps}] ${title}\u001b[0m\n`);
}

class DemoFailure extends Error {
    constructor(
        what: string,
        readonly fix: string,
        cause?: unknown,
    ) {
        super(`${what}${cause instanceof Error ? `\n${cause.message}` : ""}`);
    }
}

async function attempt<T>(what: string, fix: string, body: () => Promise<T>): Promise<T> {
    try {
        return await body();
    } catch (err) {
        throw new DemoFailure(what, fix, err);
    }
}

async function main(): Promise<void> {
    rmSync(WORK, { recursive: true, force: true });
    mkdirSync(WORK, { recursive: true });

    say("Making the Pulumi CLI available (built once from its Go modules, then cached)");
    const binDir = await attempt(
        "Could not make the Pulumi CLI available.",
        "Install Go (https://go.dev/dl/) so scripts/ensure-pulumi.sh can build it, or install Pulumi v3.248.0+ (https://www.pulumi.com/docs/install/) and put it on PATH.",
        () => ensurePulumi((line) => process.stdout.write(`    ${line}\n`)),
    );
    process.stdout.write(`    pulumi: ${binDir}\n`);

    say("Starting the local Microsoft Graph emulator");
    const emulator = await attempt("The Graph emulator did not start.", "Check that loopback networking works and that the TLS folder is writable.", () =>
        startEmulator({ tlsDir: join(WORK, "emulator-tls"), stateFile: join(WORK, "emulator-state.json") }),
    );
    process.stdout.write(`    ${emulator.url} (tenant ${emulator.tenantId}, CA ${emulator.caPath})\n`);

    const env = pulumiEnvironment(binDir, WORK);
    const pulumi = (args: string[], echo = true, allowFailure = false) => run("pulumi", args, { cwd: REPO_ROOT, env, echo, allowFailure });
    try {
        await deploy(emulator, pulumi);
    } finally {
        say("Destroying the stack and stopping the emulator");
        await pulumi(["destroy", "--yes", "--stack", STACK, "--non-interactive", "--skip-preview"], true, true);
        await pulumi(["stack", "rm", STACK, "--yes", "--force", "--non-interactive"], false, true);
        const left = emulator.profiles("androidDeviceOwnerEnrollmentProfiles").length + emulator.profiles("androidForWorkEnrollmentProfiles").length;
        process.stdout.write(`    profiles left in the emulator: ${left}\n`);
        await emulator.stop();
    }
    process.stdout.write(`\nDone. The QR codes are in ${QR_DIR}/.\n`);
}

type Pulumi = (args: string[], echo?: boolean, allowFailure?: boolean) => ReturnType<typeof run>;

async function deploy(emulator: RunningEmulator, pulumi: Pulumi): Promise<void> {
    say("Creating the stack and pointing the provider at the emulator (intune:* stack config)");
    await attempt("Could not create the stack.", "Remove .pulumi-local/ and run again.", async () => {
        await pulumi(["stack", "init", STACK, "--non-interactive"], false);
        const settings: [string, string, boolean][] = [
            ["intune:tenantId", emulator.tenantId, false],
            ["intune:clientId", emulator.defaultApp.clientId, false],
            ["intune:clientSecret", emulator.defaultApp.secret, true],
            ["intune:graphEndpoint", emulator.graphUrl, false],
            ["intune:authorityHost", emulator.authorityHost, false],
            ["intune:caCertificatePath", emulator.caPath, false],
            ["wifiPassword", "quickstart-wifi-passphrase", true],
        ];
        for (const [key, value, secret] of settings) {
            await pulumi(["config", "set", "--stack", STACK, key, value, ...(secret ? ["--secret"] : [])], false);
            process.stdout.write(`    ${key} = ${secret ? "[secret]" : value}\n`);
        }
    });

    say("pulumi up: one profile of each enrollment mode and one legacy profile");
    await attempt("pulumi up failed.", "Read the error above; `npm run emulator` runs the emulator alone for debugging.", () =>
        pulumi(["up", "--yes", "--stack", STACK, "--non-interactive"]),
    );

    say("Stack outputs (secrets stay secret unless asked for)");
    await pulumi(["stack", "output", "--stack", STACK]);

    say("The QR codes, read the way a downstream step asks for a secret (stack output --show-secrets), as owner-only PNGs");
    const contents = JSON.parse((await pulumi(["stack", "output", "qrCodeContents", "--show-secrets", "--json", "--stack", STACK], false)).stdout) as Record<
        string,
        string
    >;
    // Each PNG carries an enrollment token: owner-only, also when an earlier run left the file readable to others
    // (a write's mode applies only to a file it creates).
    mkdirSync(QR_DIR, { recursive: true, mode: 0o700 });
    for (const [name, content] of Object.entries(contents)) {
        const file = join(QR_DIR, `${name}.png`);
        writeFileSync(file, await renderQrCode(content, "png"), { mode: 0o600 });
        chmodSync(file, 0o600);
        process.stdout.write(`    wrote ${file}\n`);
    }
    // A scannable code on the terminal is a token on the screen (and in a CI log): only when asked for.
    if (SHOW_QR) process.stdout.write(await renderQrCode(contents.dedicated, "terminal"));
    else process.stdout.write("    (`npm run demo -- --show-qr` also draws the dedicated profile's code here; the emulator's tokens enroll no device)\n");

    say("A second pulumi preview: nothing to change");
    await attempt("The second preview found changes: the provider reports a phantom diff.", "Please report it with the preview output above.", () =>
        pulumi(["preview", "--expect-no-changes", "--stack", STACK, "--non-interactive"]),
    );
}

main().catch((err: unknown) => {
    process.stderr.write(`\n\u001b[31mThe demo failed: ${err instanceof Error ? err.message : String(err)}\u001b[0m\n`);
    if (err instanceof DemoFailure) process.stderr.write(`How to fix: ${err.fix}\n`);
    process.exit(1);
});
