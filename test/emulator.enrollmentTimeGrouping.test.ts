import { expect } from "chai";
import { DEFAULT_GROUPS, INTUNE_PROVISIONING_CLIENT_APP_ID } from "../emulator";
import { useEmulator } from "./support/emulator";
import { brief, DEVICE_OWNER, deviceOwnerBody, expectGraphError, Graph, LEGACY, legacyBody, MODES } from "./support/emulatorGraph";
import { call } from "./support/http";

/**
 * The emulator's enrollment-time grouping: set validates the group against the tenant's directory and keeps only a
 * group that passes, retrieve validates again, clear removes; each documented failure code for the group that
 * causes it; the wrapped and bare result; retrieve not served; and the admin routes that add groups.
 */

const [OWNED, OWNED_2, DYNAMIC, M365, NOT_OWNED, OUT_OF_SCOPE] = DEFAULT_GROUPS.map((g) => g.id);
const MISSING = "0b5e9d7a-1111-4c2d-8e3f-9a0b1c2d3e4f";

const SET = "setEnrollmentTimeDeviceMembershipTarget";
const RETRIEVE = "retrieveEnrollmentTimeDeviceMembershipTarget";
const CLEAR = "clearEnrollmentTimeDeviceMembershipTarget";

const targets = (targetId: string) => ({ enrollmentTimeDeviceMembershipTargets: [{ targetType: "staticSecurityGroup", targetId }] });

describe("emulator: enrollment-time grouping on device-owner profiles", () => {
    const ctx = useEmulator();

    async function profile(g: Graph): Promise<string> {
        return (await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated, { displayName: "Kiosk" }))).id as string;
    }

    it("set keeps a static security group the provisioning client owns; retrieve reports it; clear removes it", async () => {
        const g = new Graph(ctx.emulator);
        const id = await profile(g);
        const empty = await g.post(g.item(DEVICE_OWNER, id, `/${RETRIEVE}`));
        expect(empty.status, brief(empty)).to.equal(200);
        expect(empty.json).to.include({ validationSucceeded: true });
        expect(empty.json.enrollmentTimeDeviceMembershipTargetValidationStatuses).to.deep.equal([]);

        const set = await g.post(g.item(DEVICE_OWNER, id, `/${SET}`), targets(OWNED));
        expect(set.status, brief(set)).to.equal(200);
        expect(set.json["@odata.context"]).to.match(/\$metadata#microsoft\.graph\.enrollmentTimeDeviceMembershipTargetResult$/);
        expect(set.json.validationSucceeded).to.equal(true);
        expect(set.json.enrollmentTimeDeviceMembershipTargetValidationStatuses).to.deep.equal([
            { targetId: OWNED, validationSucceeded: true, targetValidationErrorCode: "unknown" },
        ]);
        expect(ctx.emulator.membershipTarget(id)).to.deep.equal({ targetType: "staticSecurityGroup", targetId: OWNED });

        const retrieved = await g.post(g.item(DEVICE_OWNER, id, `/microsoft.graph.${RETRIEVE}`));
        expect(retrieved.json.enrollmentTimeDeviceMembershipTargetValidationStatuses[0]).to.include({ targetId: OWNED, validationSucceeded: true });

        const cleared = await g.post(g.item(DEVICE_OWNER, id, `/${CLEAR}`));
        expect(cleared.status, brief(cleared)).to.equal(204);
        expect(ctx.emulator.membershipTarget(id)).to.equal(null);
        // The target is beside the entity, never a property of it.
        expect(Object.keys(await g.read(DEVICE_OWNER, id))).to.not.include("enrollmentTimeDeviceMembershipTarget");
    });

    for (const [group, code] of [
        [MISSING, "securityGroupNotFound"],
        [M365, "notSecurityGroup"],
        [DYNAMIC, "notStaticSecurityGroup"],
        [NOT_OWNED, "firstPartyAppNotAnOwner"],
        [OUT_OF_SCOPE, "securityGroupNotInCallerScope"],
    ] as const) {
        it(`set answers 200 with validationSucceeded false and ${code}, and keeps the profile's previous target`, async () => {
            const g = new Graph(ctx.emulator);
            const id = await profile(g);
            await g.post(g.item(DEVICE_OWNER, id, `/${SET}`), targets(OWNED_2));
            const res = await g.post(g.item(DEVICE_OWNER, id, `/${SET}`), targets(group));
            expect(res.status, brief(res)).to.equal(200);
            expect(res.json.validationSucceeded).to.equal(false);
            expect(res.json.enrollmentTimeDeviceMembershipTargetValidationStatuses).to.deep.equal([
                { targetId: group, validationSucceeded: false, targetValidationErrorCode: code },
            ]);
            expect(ctx.emulator.membershipTarget(id)).to.deep.equal({ targetType: "staticSecurityGroup", targetId: OWNED_2 });
        });
    }

    it("retrieve validates again: a group deleted after it was set reports securityGroupNotFound", async () => {
        const g = new Graph(ctx.emulator);
        const id = await profile(g);
        await g.post(g.item(DEVICE_OWNER, id, `/${SET}`), targets(OWNED));
        ctx.emulator.deleteGroup(OWNED);
        const res = await g.post(g.item(DEVICE_OWNER, id, `/${RETRIEVE}`));
        expect(res.json.validationSucceeded).to.equal(false);
        expect(res.json.enrollmentTimeDeviceMembershipTargetValidationStatuses[0]).to.deep.equal({
            targetId: OWNED,
            validationSucceeded: false,
            targetValidationErrorCode: "securityGroupNotFound",
        });
    });

    it("refuses a malformed set, and the actions on the legacy type and on a missing profile", async () => {
        const g = new Graph(ctx.emulator);
        const id = await profile(g);
        expectGraphError(await g.post(g.item(DEVICE_OWNER, id, `/${SET}`), { enrollmentTimeDeviceMembershipTargets: [] }), 400, "BadRequest", "Exactly one");
        expectGraphError(
            await g.post(g.item(DEVICE_OWNER, id, `/${SET}`), { enrollmentTimeDeviceMembershipTargets: [{ targetType: "unknown", targetId: OWNED }] }),
            400,
            "BadRequest",
            "staticSecurityGroup",
        );
        expectGraphError(await g.post(g.item(DEVICE_OWNER, id, `/${SET}`), { targets: [] }), 400, "BadRequest", "targets");
        const legacy = await g.create(LEGACY, legacyBody());
        expectGraphError(await g.post(g.item(LEGACY, legacy.id, `/${SET}`), targets(OWNED)), 400, "BadRequest", SET);
        expectGraphError(await g.post(g.item(DEVICE_OWNER, MISSING, `/${CLEAR}`)), 404, "ResourceNotFound");
    });

    it("wraps the result in {value} when told to, and answers retrieve as an unknown segment when it is not served", async () => {
        const g = new Graph(ctx.emulator);
        const id = await profile(g);
        ctx.emulator.setBehaviour({ membershipTargetResultWrapped: true });
        const wrapped = await g.post(g.item(DEVICE_OWNER, id, `/${SET}`), targets(OWNED));
        expect(wrapped.json.value).to.deep.equal({
            validationSucceeded: true,
            enrollmentTimeDeviceMembershipTargetValidationStatuses: [{ targetId: OWNED, validationSucceeded: true, targetValidationErrorCode: "unknown" }],
        });
        ctx.emulator.setBehaviour({ membershipTargetRetrieve: "notServed" });
        expectGraphError(await g.post(g.item(DEVICE_OWNER, id, `/${RETRIEVE}`)), 400, "BadRequest", `Resource not found for the segment '${RETRIEVE}'`);
        expect((await g.post(g.item(DEVICE_OWNER, id, `/${CLEAR}`))).status).to.equal(204);
    });

    it("the admin routes add a group the next set accepts, and change a profile's target behind the provider's back", async () => {
        const g = new Graph(ctx.emulator);
        const id = await profile(g);
        const admin = (method: string, path: string, body?: unknown) => call(ctx.emulator.caPem, method, `${ctx.emulator.url}/_emulator${path}`, { body });
        const fresh = "7c0d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f";
        expect((await g.post(g.item(DEVICE_OWNER, id, `/${SET}`), targets(fresh))).json.validationSucceeded).to.equal(false);
        expect(
            (
                await admin("POST", "/groups", {
                    id: fresh,
                    displayName: "Tills",
                    securityEnabled: true,
                    membership: "static",
                    ownerAppIds: [INTUNE_PROVISIONING_CLIENT_APP_ID],
                })
            ).status,
        ).to.equal(204);
        expect((await admin("GET", "/groups")).json.value.map((x: { id: string }) => x.id)).to.include(fresh);
        expect((await g.post(g.item(DEVICE_OWNER, id, `/${SET}`), targets(fresh))).json.validationSucceeded).to.equal(true);
        expect((await admin("POST", "/groups", { id: "not-a-guid", securityEnabled: true, membership: "static", ownerAppIds: [] })).status).to.equal(400);

        expect((await admin("PUT", `/profiles/${DEVICE_OWNER}/${id}/membershipTarget`, { targetId: OWNED_2 })).status).to.equal(204);
        expect((await admin("GET", `/profiles/${DEVICE_OWNER}/${id}/membershipTarget`)).json.value).to.deep.equal({
            targetType: "staticSecurityGroup",
            targetId: OWNED_2,
        });
        expect((await admin("DELETE", `/groups/${fresh}`)).status).to.equal(204);
        ctx.emulator.reset();
        expect(ctx.emulator.groups().map((x) => x.id)).to.deep.equal(DEFAULT_GROUPS.map((x) => x.id));
    });
});
