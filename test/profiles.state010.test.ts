import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import requireFromString from "require-from-string";
import { REPO_ROOT } from "../scripts/localPulumi";
import {
    asDynamic,
    createChecked,
    DEVICE_OWNER,
    deviceOwner,
    DynamicProvider,
    FOR_WORK,
    forWork,
    Props,
    stackConfig,
    useProfileEmulator,
} from "./support/profiles";

/**
 * Every stack's state holds its `__provider` text, and Pulumi runs delete and refresh with the text stored there.
 * The texts 0.1.0 wrote (serialized from that release's provider.ts, which required the implementation by its
 * `dist/` path) must keep working forever: read, update and delete through them, on outputs without the binding.
 */

const FIXTURES = join(REPO_ROOT, "test", "fixtures", "state-0.1.0");

function load010(kindName: string): { text: string; provider: DynamicProvider } {
    const text = readFileSync(join(FIXTURES, `${kindName}.provider.js`), "utf8");
    return { text, provider: asDynamic((requireFromString(text) as { handler: () => unknown }).handler()) };
}

describe("profiles: states written by 0.1.0 keep working", () => {
    const ctx = useProfileEmulator();

    it("0.1.0's provider text requires the old path, which the package still resolves", () => {
        const { text } = load010("androidDeviceOwnerEnrollmentProfile");
        expect(text).to.contain('require("pulumi-intune-enrollment/dist/provider/profiles/host")');
        expect(require.resolve("pulumi-intune-enrollment/dist/provider/profiles/host")).to.equal(require.resolve("pulumi-intune-enrollment/host"));
    });

    for (const [kindName, current, collection, program] of [
        [
            "androidDeviceOwnerEnrollmentProfile",
            deviceOwner,
            DEVICE_OWNER,
            { displayName: "Kiosk", enrollmentMode: "corporateOwnedDedicatedDevice", tokenValidityDays: 30 },
        ],
        ["androidForWorkEnrollmentProfile", forWork, FOR_WORK, { displayName: "Legacy" }],
    ] as const) {
        it(`reads, updates and deletes ${kindName} through 0.1.0's text, and binds the state on the way`, async () => {
            const { outs } = await createChecked(current, program);
            const { tenantId, graphRoot, ...written010 } = outs; // 0.1.0 recorded no binding
            expect([tenantId, graphRoot]).to.not.include(undefined);
            const { text, provider } = load010(kindName);
            const cfg = stackConfig(ctx.emulator);
            await provider.configure({ config: { get: (k: string) => cfg[k] } });
            const state: Props = { ...written010, __provider: text };

            const read = await provider.read(outs.profileId, state);
            expect(read.id).to.equal(outs.profileId);
            expect(read.props!.tenantId).to.equal(ctx.emulator.tenantId);
            const updated = await provider.update(outs.profileId, state, { ...program, description: "updated through 0.1.0's text", __provider: text });
            expect(updated.outs!.description).to.equal("updated through 0.1.0's text");
            await provider.delete(outs.profileId, { ...updated.outs!, __provider: text });
            expect(ctx.emulator.profiles(collection)).to.deep.equal([]);
        });
    }
});
