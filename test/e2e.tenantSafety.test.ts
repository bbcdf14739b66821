import { expect } from "chai";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { RunningEmulator, startEmulator } from "../emulator";
import * as intune from "../provider";
import { allProfiles, destroyAndRemove, engineStack, EngineStack, failureOf, log } from "./support/e2e";
import { TEST_TLS_DIR, useEmulator } from "./support/emulator";

/**
 * Through the real engine, the ways a pipeline lost track of real profiles: no tenant configured (it used to run on
 * a stand-in and report success), settings pointing at another tenant (a refresh used to read "gone"), and what a
 * user sees of a configuration error and of a token renewal in a preview.
 */

const INTUNE_KEYS = ["intune:tenantId", "intune:clientId", "intune:clientSecret", "intune:graphEndpoint", "intune:authorityHost", "intune:caCertificatePath"];
const OTHER_TENANT = "5b7c9d1e-2f3a-4b5c-8d6e-7f8091a2b3c4";

const occurrences = (text: string, phrase: string): number => text.split(phrase).length - 1;

describe("end to end: never a stand-in by accident, never the wrong tenant", function () {
    this.timeout(300_000);
    const ctx = useEmulator();
    let other: RunningEmulator | undefined;
    let s: EngineStack | undefined;

    afterEach(async () => {
        await destroyAndRemove(s);
        s = undefined;
        await other?.stop();
        other = undefined;
    });

    const kiosk =
        (props: Partial<intune.AndroidDeviceOwnerEnrollmentProfileArgs> = {}) =>
        async () => {
            const p = new intune.AndroidDeviceOwnerEnrollmentProfile("kiosk", {
                displayName: "Kiosk",
                enrollmentMode: "corporateOwnedDedicatedDevice",
                ...props,
            });
            return { id: p.profileId, tenant: p.tenantId };
        };

    it("fails with no tenant and no opt-in, printing the settings error once without a trace, and leaves state and tenant alone", async () => {
        s = await engineStack(ctx.emulator, "no-tenant");
        s.program = kiosk();
        const up = await s.stack.up(log(s));
        const id = up.outputs.id.value as string;
        expect(up.outputs.tenant.value).to.equal(ctx.emulator.tenantId);

        await s.stack.removeAllConfig(INTUNE_KEYS); // a pipeline whose variables went missing
        const refreshed = await failureOf(s.stack.up({ refresh: true, onOutput: () => undefined }));
        expect(refreshed).to.contain("no Intune tenant is configured");
        expect(refreshed).to.contain("intune:emulator");
        expect(occurrences(refreshed, "no Intune tenant is configured"), refreshed).to.be.at.most(2); // the diagnostic, and the engine's summary of it
        expect(refreshed, "no stack trace of the provider's code").to.not.match(/^\s+at .*(dist\/provider|node_modules)/m);
        expect(refreshed, "no message repeated on one line").to.not.match(/SettingsError: .*: SettingsError:/);
        const destroyed = await failureOf(s.stack.destroy({ onOutput: () => undefined }));
        expect(destroyed).to.contain("no Intune tenant is configured");

        expect(existsSync(join(s.workDir, ".intune-emulator")), "no emulator was started").to.equal(false);
        expect(ctx.emulator.profiles("androidDeviceOwnerEnrollmentProfiles").map((p) => p.id)).to.deep.equal([id]);
        const exported = await s.stack.exportStack();
        expect(JSON.stringify(exported.deployment)).to.contain(id);
    });

    it("runs on the embedded emulator only when asked, and says so as a warning", async () => {
        s = await engineStack(ctx.emulator, "opt-in");
        await s.stack.removeAllConfig(INTUNE_KEYS);
        await s.stack.setConfig("intune:emulator", { value: "true" });
        s.program = kiosk();
        const up = await s.stack.up(log(s));
        expect(up.summary.resourceChanges?.create).to.equal(2);
        const printed = s.outputLog.join("");
        expect(printed).to.match(/warning: intune:emulator is true: profiles go to the embedded Graph emulator/);
        expect(printed).to.contain("Nothing is deployed to Microsoft Intune");
        expect(allProfiles(ctx.emulator), "nothing reached the configured emulator").to.deep.equal([]);
    });

    it("refuses to refresh or destroy when the pipeline's variables point at another tenant, then moves the stack with intune:moveFrom", async () => {
        // Sign-in from the environment, as pipelines do: a refresh runs with this run's variables.
        s = await engineStack(ctx.emulator, "bound");
        await s.stack.removeAllConfig(INTUNE_KEYS);
        const env = s.stack.workspace.envVars as Record<string, string>;
        const signInTo = (e: RunningEmulator): void => {
            Object.assign(env, {
                AZURE_TENANT_ID: e.tenantId,
                AZURE_CLIENT_ID: e.defaultApp.clientId,
                AZURE_CLIENT_SECRET: e.defaultApp.secret,
                INTUNE_GRAPH_ENDPOINT: e.graphUrl,
                AZURE_AUTHORITY_HOST: e.authorityHost,
                INTUNE_CA_CERTIFICATE_PATH: e.caPath,
            });
        };
        signInTo(ctx.emulator);
        s.program = kiosk();
        const id = (await s.stack.up(log(s))).outputs.id.value as string;

        other = await startEmulator({ tlsDir: TEST_TLS_DIR, tenantId: OTHER_TENANT });
        signInTo(other);
        const refreshed = await failureOf(s.stack.up({ refresh: true, onOutput: () => undefined }));
        expect(refreshed).to.contain(`lives in tenant ${ctx.emulator.tenantId}`).and.to.contain(`configured for tenant ${OTHER_TENANT}`);
        expect(refreshed).to.contain("Nothing was changed");
        const destroyed = await failureOf(s.stack.destroy({ onOutput: () => undefined }));
        expect(destroyed).to.contain("refused");
        expect(
            ctx.emulator.profiles("androidDeviceOwnerEnrollmentProfiles").map((p) => p.id),
            "still there, still in the stack",
        ).to.deep.equal([id]);
        expect(JSON.stringify((await s.stack.exportStack()).deployment)).to.contain(id);
        expect(other.profiles("androidDeviceOwnerEnrollmentProfiles")).to.deep.equal([]);

        env.INTUNE_MOVE_FROM = ctx.emulator.tenantId;
        const moved = await s.stack.up({ refresh: true, ...log(s) });
        delete env.INTUNE_MOVE_FROM;
        expect(moved.outputs.tenant.value).to.equal(OTHER_TENANT);
        expect(other.profiles("androidDeviceOwnerEnrollmentProfiles")).to.have.length(1);
        expect(
            ctx.emulator.profiles("androidDeviceOwnerEnrollmentProfiles").map((p) => p.id),
            "left where it was",
        ).to.deep.equal([id]);
        await s.stack.preview({ expectNoChanges: true, onOutput: () => undefined });
        await s.stack.destroy({ onOutput: () => undefined });
        expect(other.profiles("androidDeviceOwnerEnrollmentProfiles")).to.deep.equal([]);
    });

    it("says in a preview that a token will be renewed, and why", async () => {
        s = await engineStack(ctx.emulator, "renewal-preview");
        s.program = kiosk({ tokenValidityDays: 30, renewTokenWithinDays: 7 });
        const id = (await s.stack.up(log(s))).outputs.id.value as string;
        // Five days left, as a refresh a few weeks later finds it.
        ctx.emulator.changeInPortal("androidDeviceOwnerEnrollmentProfiles", id, {
            tokenExpirationDateTime: new Date(Date.now() + 5 * 86_400_000).toISOString(),
        });
        await s.stack.refresh({ onOutput: () => undefined });
        const lines: string[] = [];
        const preview = await s.stack.preview({ diff: true, onOutput: (l) => lines.push(l) });
        expect(preview.changeSummary.update).to.equal(1);
        // `--diff` prints the resource's diff on stdout and diagnostics on stderr.
        expect(lines.join("")).to.match(/~ pulumi-nodejs:dynamic\/intune:AndroidDeviceOwnerEnrollmentProfile: \(update\)/);
        expect(preview.stderr).to.match(
            /warning: intune: Android enrollment profile "Kiosk": a new enrollment token will be issued because the enrollment token expires within 7 days \(on \d{4}-/,
        );
    });
});
