import * as automation from "@pulumi/pulumi/automation";
import { expect } from "chai";
import { mkdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import * as intune from "../provider";
import { automationEnvVars, ensurePulumi, pulumiEnvironment } from "../scripts/localPulumi";
import { E2E_ROOT } from "./support/e2e";

/**
 * Two `pulumi up` of two stacks in one folder at once, each with the embedded emulator: two provider hosts, two
 * emulators, one `.intune-emulator/state.json`. Measured before: ENOENT on rename, and 29 + 5 profiles of 30 + 30.
 */
describe("end to end: two stacks' embedded emulators share one state file", function () {
    this.timeout(300_000);
    const PER_STACK = 20;
    const workDir = join(E2E_ROOT, "shared-emulator-state");
    const emulatorDir = join(workDir, ".intune-emulator");
    const stacks: automation.Stack[] = [];

    async function embeddedStack(name: string): Promise<automation.Stack> {
        const binDir = await ensurePulumi(() => undefined);
        const env = pulumiEnvironment(binDir, join(E2E_ROOT, "backend"));
        process.env.PATH = env.PATH;
        const envVars: Record<string, string> = { INTUNE_EMULATOR_DIR: emulatorDir, INTUNE_EMULATOR: "true" };
        Object.assign(envVars, automationEnvVars(env));
        const program = async (): Promise<void> => {
            for (let i = 0; i < PER_STACK; i++) {
                new intune.AndroidDeviceOwnerEnrollmentProfile(`kiosk-${i}`, {
                    displayName: `${name} kiosk ${i}`,
                    enrollmentMode: "corporateOwnedDedicatedDevice",
                });
            }
        };
        const stack = await automation.LocalWorkspace.createOrSelectStack(
            { stackName: name, projectName: "shared-emulator-state", program },
            { workDir, envVars, projectSettings: { name: "shared-emulator-state", runtime: "nodejs", backend: { url: env.PULUMI_BACKEND_URL! } } },
        );
        // No tenant: the embedded emulator, asked for explicitly.
        await stack.setConfig("intune:emulator", { value: "true" });
        stacks.push(stack);
        return stack;
    }

    before(() => {
        rmSync(workDir, { recursive: true, force: true });
        mkdirSync(workDir, { recursive: true });
    });
    after(async () => {
        for (const stack of stacks) {
            await stack.destroy({ onOutput: () => undefined }).catch(() => undefined);
            await stack.workspace.removeStack(stack.name, { force: true }).catch(() => undefined);
        }
        rmSync(workDir, { recursive: true, force: true });
    });

    it("keeps every profile of both runs, and both succeed", async () => {
        const [a, b] = [await embeddedStack("a"), await embeddedStack("b")];
        const output: string[] = [];
        const [upA, upB] = await Promise.all([a, b].map((s) => s.up({ onOutput: (l) => output.push(l) }).catch((err: unknown) => err)));
        expect(upA, output.join("")).to.not.be.instanceOf(Error);
        expect(upB, output.join("")).to.not.be.instanceOf(Error);

        const state = JSON.parse(readFileSync(join(emulatorDir, "state.json"), "utf8")) as { profiles: { entity: { displayName: string } }[] };
        const names = state.profiles.map((p) => p.entity.displayName);
        expect(
            names.filter((n) => n.startsWith("a ")),
            "stack a's profiles",
        ).to.have.length(PER_STACK);
        expect(
            names.filter((n) => n.startsWith("b ")),
            "stack b's profiles",
        ).to.have.length(PER_STACK);

        // Each stack's refresh finds all of its own profiles: none was lost to the other run.
        const [refreshA, refreshB] = await Promise.all([a.refresh({ onOutput: () => undefined }), b.refresh({ onOutput: () => undefined })]);
        expect(refreshA.summary.resourceChanges?.delete ?? 0).to.equal(0);
        expect(refreshB.summary.resourceChanges?.delete ?? 0).to.equal(0);
    });
});
