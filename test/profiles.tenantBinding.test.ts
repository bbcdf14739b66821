import { expect } from "chai";
import { RunningEmulator, startEmulator } from "../emulator";
import { resetConfiguration } from "../provider/runtime/configuration";
import { TEST_TLS_DIR } from "./support/emulator";
import {
    configureFor,
    createChecked,
    DEVICE_OWNER,
    deviceOwner,
    FOR_WORK,
    forWork,
    graphCalls,
    Props,
    PROVIDER_TEXT,
    rejectionOf,
    stackConfig,
    useProfileEmulator,
} from "./support/profiles";

/**
 * A profile stays bound to the tenant and Graph root it was created in: a run configured for another place never
 * reads it as "gone", never updates or deletes it, and says where each side is. Moving a stack is explicit.
 */

const OTHER_TENANT = "3f2a1b4c-5d6e-4f70-8a9b-0c1d2e3f4a5b";
const KIOSK: Props = { displayName: "Kiosk", enrollmentMode: "corporateOwnedDedicatedDevice" };

describe("profiles: bound to the tenant and Graph root they live in", function () {
    this.timeout(60_000);
    const ctx = useProfileEmulator();
    let other: RunningEmulator;

    before(async () => {
        other = await startEmulator({ tlsDir: TEST_TLS_DIR, tenantId: OTHER_TENANT, throttle: { enabled: false } });
    });
    after(async () => other?.stop());
    beforeEach(() => other.reset());

    const state = (outs: Props): Props => ({ ...outs, __provider: PROVIDER_TEXT });

    it("records the tenant and the Graph root (a local emulator without its port) as plain outputs", async () => {
        const { outs } = await createChecked(deviceOwner, KIOSK);
        expect(outs.tenantId).to.equal(ctx.emulator.tenantId);
        expect(outs.graphRoot).to.equal("https://127.0.0.1");
    });

    it("refuses to refresh, update or delete from another tenant, names both places, and changes nothing", async () => {
        const { id, outs, inputs } = await createChecked(deviceOwner, KIOSK);
        await configureFor(other);
        for (const [what, call] of [
            ["Refreshing", () => deviceOwner.read(id, state(outs))],
            ["Updating", () => deviceOwner.update(id, state(outs), { ...inputs, displayName: "Renamed" })],
            ["Deleting", () => deviceOwner.delete(id, state(outs))],
        ] as const) {
            const err = await rejectionOf(call());
            expect(err.name).to.equal("WrongPlaceError");
            expect(err.message).to.match(new RegExp(`^${what} Android enrollment profile "(Kiosk|Renamed)" \\(${id}\\) refused`));
            expect(err.message).to.contain(`lives in tenant ${ctx.emulator.tenantId}`).and.to.contain(`configured for tenant ${OTHER_TENANT}`);
            expect(err.message).to.contain("intune:moveFrom");
        }
        expect(graphCalls(other), "no Graph request in the other tenant").to.deep.equal([]);
        expect(ctx.emulator.profiles(DEVICE_OWNER).map((p) => [p.id, p.displayName])).to.deep.equal([[id, "Kiosk"]]);
    });

    it("refuses a token for another tenant than the settings name, before any call, instead of reading the profile as gone", async () => {
        const { id, outs } = await createChecked(deviceOwner, KIOSK);
        // A pre-acquired token (as a managed identity's) signs in to its own tenant whatever intune:tenantId says.
        resetConfiguration();
        const cfg: Props = {
            "intune:tenantId": ctx.emulator.tenantId,
            "intune:accessToken": other.issueToken(),
            "intune:graphEndpoint": other.graphUrl,
            "intune:caCertificatePath": other.caPath,
        };
        await deviceOwner.configure({ config: { get: (k: string) => cfg[k] } });
        const err = await rejectionOf(deviceOwner.read(id, state(outs)));
        expect(err.name).to.equal("TenantMismatchError");
        expect(err.message).to.match(/^Refreshing Android enrollment profile "Kiosk" \(.*\) refused: the access token is for tenant /);
        expect(err.message).to.contain(OTHER_TENANT).and.to.contain(`settings name tenant ${ctx.emulator.tenantId}`);
        expect(graphCalls(other), "no Graph request in the token's tenant").to.deep.equal([]);
        expect(ctx.emulator.profiles(DEVICE_OWNER).map((p) => p.id)).to.deep.equal([id]);
    });

    it("takes a tenant the settings name by a domain as the token's, and keeps working a state that recorded the domain", async () => {
        const { id, outs } = await createChecked(deviceOwner, KIOSK);
        resetConfiguration();
        const cfg: Props = {
            "intune:tenantId": "Contoso.onmicrosoft.com",
            "intune:accessToken": ctx.emulator.issueToken(),
            "intune:graphEndpoint": ctx.emulator.graphUrl,
            "intune:caCertificatePath": ctx.emulator.caPath,
        };
        await deviceOwner.configure({ config: { get: (k: string) => cfg[k] } });
        // Written before the token's tenant id decided: the state recorded the configured domain.
        const read = await deviceOwner.read(id, state({ ...outs, tenantId: "contoso.onmicrosoft.com" }));
        expect(read.id).to.equal(id);
        expect(read.props!.tenantId, "rewritten to the tenant's id").to.equal(ctx.emulator.tenantId);
        const err = await rejectionOf(deviceOwner.read(id, state({ ...outs, tenantId: "fabrikam.onmicrosoft.com" })));
        expect(err.name).to.equal("WrongPlaceError");
    });

    it("refuses a profile recorded at another Graph root in the same tenant (another cloud)", async () => {
        const { id, outs } = await createChecked(forWork, { displayName: "Legacy" });
        const err = await rejectionOf(forWork.read(id, state({ ...outs, graphRoot: "https://graph.microsoft.us" })));
        expect(err.message).to.contain("at https://graph.microsoft.us").and.to.contain("at https://127.0.0.1");
        expect(ctx.emulator.profiles(FOR_WORK)).to.have.length(1);
    });

    it("keeps a state written before binding working, and binds it on the next refresh", async () => {
        const { id, outs } = await createChecked(deviceOwner, KIOSK);
        const { tenantId, graphRoot, ...unbound } = outs;
        expect([tenantId, graphRoot]).to.not.include(undefined);
        const read = await deviceOwner.read(id, state(unbound));
        expect(read.id).to.equal(id);
        expect(read.props!.tenantId).to.equal(ctx.emulator.tenantId);
        expect(read.props!.graphRoot).to.equal("https://127.0.0.1");
        const updated = await deviceOwner.update(id, state(unbound), { ...KIOSK, displayName: "Renamed", __provider: PROVIDER_TEXT });
        expect(updated.outs!.tenantId).to.equal(ctx.emulator.tenantId);
    });

    it("learns the tenant from the access token's tid claim when the settings name none", async () => {
        resetConfiguration();
        const cfg: Record<string, string> = { ...stackConfig(ctx.emulator), "intune:accessToken": ctx.emulator.issueToken({ lifetimeSeconds: 3600 }) };
        for (const key of ["intune:tenantId", "intune:clientId", "intune:clientSecret"]) delete cfg[key];
        await deviceOwner.configure({ config: { get: (k: string) => cfg[k] } });
        const { outs } = await createChecked(deviceOwner, KIOSK);
        expect(outs.tenantId).to.equal(ctx.emulator.tenantId);
    });

    it("moves a stack on purpose with intune:moveFrom: refresh forgets, delete leaves, update asks for a refresh first", async () => {
        const { id, outs, inputs } = await createChecked(deviceOwner, KIOSK);
        for (const moveFrom of [ctx.emulator.tenantId, "emulator"]) {
            await configureFor(other, { "intune:moveFrom": moveFrom });
            const read = await deviceOwner.read(id, state(outs));
            expect(read.id, `moveFrom ${moveFrom}: dropped from the stack`).to.equal("");
            await deviceOwner.delete(id, state(outs));
            const err = await rejectionOf(deviceOwner.update(id, state(outs), inputs));
            expect(err.message).to.contain("run `pulumi refresh` first");
        }
        expect(
            ctx.emulator.profiles(DEVICE_OWNER).map((p) => p.id),
            "left where it was",
        ).to.deep.equal([id]);
        expect(graphCalls(other)).to.deep.equal([]);
        const created = await createChecked(deviceOwner, KIOSK);
        expect(created.outs.tenantId).to.equal(OTHER_TENANT);
        expect(other.profiles(DEVICE_OWNER).map((p) => p.id)).to.deep.equal([created.id]);
    });

    it("does not let intune:moveFrom release a profile recorded in a tenant it does not name", async () => {
        const { id, outs } = await createChecked(deviceOwner, KIOSK);
        await configureFor(other, { "intune:moveFrom": "11111111-2222-4333-8444-555555555555" });
        const err = await rejectionOf(deviceOwner.read(id, state(outs)));
        expect(err.name).to.equal("WrongPlaceError");
    });
});
