import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as intune from "../provider";
import { providerText } from "../provider/dynamic/providerText";
import { RunningEmulator, startEmulator } from "../emulator";
import { profileSpecs } from "../bench/workload";
import { REPO_ROOT } from "../scripts/localPulumi";
import { destroyAndRemove, engineStack, EngineStack, log } from "./support/e2e";
import { TEST_TLS_DIR } from "./support/emulator";

/**
 * A stack written before the QR image left the state (test/fixtures/state-with-qr-image: the checkpoint and the
 * emulator's profiles that the provider of commit 59f2b68 left after `pulumi up` of the benchmark's mix of ten,
 * every enrollment mode and both types). Upgrading to this version must be a clean run: no replacement, no update,
 * no new token, no Graph write. Its dates are moved to today, so the tokens are as far from expiry as they were.
 */

const FIXTURE = join(REPO_ROOT, "test", "fixtures", "state-with-qr-image");

interface Resource {
    urn: string;
    type: string;
    id?: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
}

/** Every date after 2000 moved by `deltaMs` (the markers for "never expires", 0001-01-01 and 9999-12-31, stay). */
function shiftDates(text: string, deltaMs: number): string {
    return text.replace(/\b(\d{4})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g, (date, year: string) =>
        Number(year) < 2000 || Number(year) > 9000 ? date : new Date(Date.parse(date) + deltaMs).toISOString(),
    );
}

/** The export shows each secret decrypted: { <secret signature>: ..., plaintext: "<JSON of the value>" }. */
const plain = (v: unknown): unknown => (typeof v === "object" && v !== null && "plaintext" in v ? JSON.parse(String(v.plaintext)) : v);

const profiles = (resources: Resource[]): Resource[] => resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/intune:"));

describe("end to end: upgrading a stack whose state holds the QR image", function () {
    this.timeout(300_000);
    let emulator: RunningEmulator | undefined;
    let s: EngineStack | undefined;
    let dir: string | undefined;
    after(async () => {
        await destroyAndRemove(s);
        await emulator?.stop();
        if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("changes nothing on up, and a refresh drops the image but keeps every token", async () => {
        const checkpointText = readFileSync(join(FIXTURE, "checkpoint.json"), "utf8");
        const written = JSON.parse(checkpointText) as { checkpoint: { latest: { manifest: { time: string } } } };
        const delta = Date.now() - Date.parse(written.checkpoint.latest.manifest.time);
        dir = mkdtempSync(join(tmpdir(), "intune-upgrade-"));
        const stateFile = join(dir, "emulator-state.json");
        writeFileSync(stateFile, shiftDates(readFileSync(join(FIXTURE, "emulator-state.json"), "utf8"), delta), { mode: 0o600 });
        emulator = await startEmulator({ tlsDir: TEST_TLS_DIR, stateFile });

        s = await engineStack(emulator, "upgrade-fixture", "dev");
        const old = (JSON.parse(shiftDates(checkpointText, delta)) as { checkpoint: { latest: { resources: Resource[] } } }).checkpoint.latest;
        await s.stack.importStack({ version: 3, deployment: old });
        const before = profiles(old.resources);
        expect(before).to.have.length(10);
        expect(before.every((r) => typeof r.outputs?.qrCodeImage === "object")).to.equal(true, "the fixture holds the image");

        const specs = profileSpecs(10, "upgrade");
        s.program = async () => {
            for (const spec of specs) {
                const name = `p${spec.index}`;
                if (spec.kind === "deviceOwner")
                    new intune.AndroidDeviceOwnerEnrollmentProfile(name, spec.args as unknown as intune.AndroidDeviceOwnerEnrollmentProfileArgs);
                else new intune.AndroidForWorkEnrollmentProfile(name, spec.args as unknown as intune.AndroidForWorkEnrollmentProfileArgs);
            }
        };
        const writes = (): string[] =>
            emulator!
                .requests()
                .filter((r) => r.method !== "GET")
                .map((r) => `${r.method} ${r.path}`);
        const tokens = async (): Promise<Record<string, unknown>> => {
            const state = (await s!.stack.exportStack()).deployment as { resources: Resource[] };
            return Object.fromEntries(profiles(state.resources).map((r) => [r.urn, plain(r.outputs?.tokenValue)]));
        };
        const tokensBefore = await tokens();
        expect(Object.values(tokensBefore).every((t) => typeof t === "string" && t.length > 0)).to.equal(true);

        const preview = await s.stack.preview(log(s));
        const up = await s.stack.up(log(s));
        // The default provider's settings point at this run's emulator (another port): only it may change.
        for (const summary of [preview.changeSummary, up.summary.resourceChanges ?? {}]) {
            const { same, update, ...others } = summary as Record<string, number>;
            expect(others, JSON.stringify(summary)).to.deep.equal({});
            expect(same).to.be.at.least(11);
            expect(update ?? 0).to.be.at.most(1);
        }
        expect(writes()).to.deep.equal([]);
        expect(await tokens()).to.deep.equal(tokensBefore);

        await s.stack.refresh(log(s));
        const refreshed = profiles(((await s.stack.exportStack()).deployment as { resources: Resource[] }).resources);
        expect(refreshed).to.have.length(10);
        for (const r of refreshed) {
            expect(r.outputs, r.urn).to.not.have.property("qrCodeImage");
            expect(r.outputs, r.urn).to.not.have.property("qrCodeImageType");
            expect(plain(r.outputs?.qrCodeContent), r.urn).to.be.a("string").and.not.empty;
        }
        expect(await tokens()).to.deep.equal(tokensBefore);

        const again = await s.stack.up(log(s));
        const { same, ...changed } = again.summary.resourceChanges ?? {};
        expect(changed, JSON.stringify(again.summary.resourceChanges)).to.deep.equal({});
        expect(same).to.equal(11);
        expect(writes()).to.deep.equal([]);
        // Inputs carry this version's text from the first up on; outputs keep the text that last wrote them.
        const final = profiles(((await s.stack.exportStack()).deployment as { resources: Resource[] }).resources);
        expect(final.map((r) => r.inputs?.__provider)).to.deep.equal(
            final.map((r) =>
                providerText(r.type.endsWith("ForWorkEnrollmentProfile") ? "androidForWorkEnrollmentProfile" : "androidDeviceOwnerEnrollmentProfile"),
            ),
        );

        // Delete runs the text in the outputs: the previous version's, calling this version's host.
        expect(final.every((r) => String(r.outputs?.__provider).length > 1000)).to.equal(true, "outputs keep the old text");
        await s.stack.destroy(log(s));
        expect([...emulator.profiles("androidDeviceOwnerEnrollmentProfiles"), ...emulator.profiles("androidForWorkEnrollmentProfiles")]).to.deep.equal([]);
    });
});
