import { expect } from "chai";
import { DEFAULT_GROUPS } from "../emulator";
import type { ProfileContext } from "../provider/profiles/context";
import { enrollmentTimeGrouping } from "../provider/profiles/grouping";
import { androidDeviceOwnerKind } from "../provider/profiles/kinds/androidDeviceOwner";
import {
    checked,
    count,
    createChecked,
    DEVICE_OWNER,
    deviceOwner,
    graphCalls,
    Props,
    PROVIDER_TEXT,
    rejectionOf,
    useProfileEmulator,
    warningsOf,
} from "./support/profiles";

/**
 * Enrollment-time grouping through the provider's lifecycle, over both readings of each unconfirmed point (retrieve
 * served or not; the result wrapped in {value} or bare): set on create, no change on a second run, change, drift
 * from the portal, clear on removal; and each validation failure becomes an error that says what to fix, leaving
 * the profile as the stack records it so that the next run retries.
 */

const [OWNED, OWNED_2, DYNAMIC, M365, NOT_OWNED, OUT_OF_SCOPE] = DEFAULT_GROUPS.map((g) => g.id);
const MISSING = "0b5e9d7a-1111-4c2d-8e3f-9a0b1c2d3e4f";
const KIOSK = { displayName: "Kiosk", enrollmentMode: "corporateOwnedDedicatedDevice", tokenValidityDays: 30 };
const GROUP = "enrollmentTimeDeviceGroupId";
const TARGET = "enrollmentTimeDeviceMembershipTarget";

const passed = (targetId: string) => ({ targetId, validationSucceeded: true, targetValidationErrorCode: "unknown" });

/** A later `pulumi up --refresh`: read, check against the program, diff, update when it differs. */
/** A later run: refresh (with the warnings it printed), check, diff, and update if it changes. */
async function laterRun(id: string, outs: Props, program: Props): Promise<{ changes: boolean; outs: Props; refreshed: Props; warnings: string[] }> {
    let refreshed: Awaited<ReturnType<typeof deviceOwner.read>> | undefined;
    const warnings = await warningsOf(async () => {
        refreshed = await deviceOwner.read(id, { ...outs, __provider: PROVIDER_TEXT });
    });
    const news = await checked(deviceOwner, program, refreshed!.inputs);
    const diff = await deviceOwner.diff(id, refreshed!.props!, news);
    expect(diff.replaces ?? []).to.deep.equal([]);
    if (!diff.changes) return { changes: false, outs: refreshed!.props!, refreshed: refreshed!.props!, warnings };
    return { changes: true, outs: (await deviceOwner.update(id, refreshed!.props!, news)).outs!, refreshed: refreshed!.props!, warnings };
}

const FAILURES = [
    { group: MISSING, code: "securityGroupNotFound", fix: /does not exist in this tenant.*create the group first/ },
    { group: M365, code: "notSecurityGroup", fix: /is not a security group.*securityEnabled true/ },
    { group: DYNAMIC, code: "notStaticSecurityGroup", fix: /has dynamic membership.*assigned \(static\) membership/ },
    {
        group: NOT_OWNED,
        code: "firstPartyAppNotAnOwner",
        fix: /Intune Provisioning Client service principal \(appId f1346770-5b25-470b-88bd-d5744ab7952c\) is not an owner/,
    },
    { group: OUT_OF_SCOPE, code: "securityGroupNotInCallerScope", fix: /outside the scope of the identity that signs in/ },
];

describe("profiles: enrollment-time grouping on device-owner profiles", function () {
    this.timeout(60_000);
    const ctx = useProfileEmulator();

    for (const [retrieve, wording] of [
        ["served", "usual"],
        ["notServed", "usual"],
        // The same refusals in words the provider has not seen: judged by the call and its status, not the text.
        ["notServed", "unusual"],
        ["refused", "unusual"],
    ] as const) {
        for (const wrapped of [false, true]) {
            it(`retrieve ${retrieve} (${wording} words), result ${wrapped ? "wrapped in {value}" : "bare"}: set on create, no-change run, change, drift, clear`, async () => {
                ctx.emulator.setBehaviour({ membershipTargetRetrieve: retrieve, membershipTargetResultWrapped: wrapped, refusalWording: wording });
                const { id, outs } = await createChecked(deviceOwner, { ...KIOSK, [GROUP]: OWNED });
                expect(ctx.emulator.membershipTarget(id)).to.deep.equal({ targetType: "staticSecurityGroup", targetId: OWNED });
                expect(outs[GROUP]).to.equal(OWNED);
                expect(outs[TARGET]).to.deep.equal(passed(OWNED));

                ctx.emulator.clearRequests();
                const second = await laterRun(id, outs, { ...KIOSK, [GROUP]: OWNED });
                expect(second.changes, "a second run with no change changes nothing").to.equal(false);
                expect(count(graphCalls(ctx.emulator), "POST setEnrollmentTimeDeviceMembershipTarget")).to.equal(0);
                expect(second.outs[TARGET]).to.deep.equal(passed(OWNED));

                const changed = await laterRun(id, second.outs, { ...KIOSK, [GROUP]: OWNED_2 });
                expect(changed.changes).to.equal(true);
                expect(ctx.emulator.membershipTarget(id)!.targetId).to.equal(OWNED_2);
                expect(changed.outs[TARGET]).to.deep.equal(passed(OWNED_2));

                // Someone points the profile at another group in the portal.
                ctx.emulator.setMembershipTargetInPortal(id, OWNED);
                const drifted = await laterRun(id, changed.outs, { ...KIOSK, [GROUP]: OWNED_2 });
                let afterDrift = drifted.outs;
                if (retrieve === "served") {
                    expect(drifted.refreshed[GROUP], "the refresh shows the portal's group").to.equal(OWNED);
                    expect(drifted.refreshed[TARGET]).to.deep.equal(passed(OWNED));
                    expect(drifted.changes, "the program's group is set again").to.equal(true);
                    expect(ctx.emulator.membershipTarget(id)!.targetId).to.equal(OWNED_2);
                } else {
                    // Without retrieve nothing can see the portal's change: the last reported target is kept, and said.
                    expect(drifted.changes).to.equal(false);
                    expect(drifted.warnings.join(""), "the refresh says why it kept what it had").to.match(
                        /refused to report its enrollment-time group \((400|403) to retrieveEnrollmentTimeDeviceMembershipTarget\)/,
                    );
                    expect(drifted.refreshed[TARGET]).to.deep.equal(passed(OWNED_2));
                    ctx.emulator.setMembershipTargetInPortal(id, OWNED_2);
                }
                expect(afterDrift[TARGET]).to.deep.equal(passed(OWNED_2));

                const cleared = await laterRun(id, afterDrift, KIOSK);
                expect(cleared.changes, "removing the group from the program is a change").to.equal(true);
                expect(ctx.emulator.membershipTarget(id)).to.equal(null);
                expect(cleared.outs[TARGET]).to.equal(null);
                expect(cleared.outs).to.not.have.property(GROUP);
                afterDrift = cleared.outs;
                expect((await laterRun(id, afterDrift, KIOSK)).changes, "and stays cleared").to.equal(false);
            });
        }
    }

    for (const wording of ["usual", "unusual"] as const) {
        it(`a tenant that does not serve enrollment-time grouping (${wording} words): the create keeps the profile and says to remove the group`, async () => {
            ctx.emulator.setBehaviour({ membershipTargetSet: "notServed", refusalWording: wording });
            const err = await rejectionOf(deviceOwner.create(await checked(deviceOwner, { ...KIOSK, [GROUP]: OWNED })));
            expect(err.message).to.match(
                /^Setting the enrollment-time device group of Android enrollment profile "Kiosk" failed: 4\d\d .*; this tenant may not offer enrollment-time grouping yet/,
            );
            expect(err.message).to.contain(`remove ${GROUP} from the program`).and.contain("was created and is kept in the stack");
            const partial = err.properties as Props;
            expect(partial, "the group is recorded as not applied").to.not.have.property(GROUP);
            // The program without the group: the profile is finished with no grouping call.
            ctx.emulator.clearRequests();
            const later = await laterRun(err.id as string, partial, KIOSK);
            expect(later.outs.tokenValue).to.be.a("string");
            expect(graphCalls(ctx.emulator).filter((c) => /MembershipTarget/.test(c))).to.deep.equal([]);
        });
    }

    it("a 403 to setting a group keeps the permission advice, not the tenant one", async () => {
        ctx.emulator.setFaults({
            rules: [{ method: "POST", path: "/setEnrollmentTimeDeviceMembershipTarget$", status: 403, code: "Forbidden", message: "denied" }],
        });
        const err = await rejectionOf(deviceOwner.create(await checked(deviceOwner, { ...KIOSK, [GROUP]: OWNED })));
        expect(err.message).to.contain("403 Forbidden").and.contain("DeviceManagementConfiguration.ReadWrite.All is required");
        expect(err.message).to.not.contain("may not offer enrollment-time grouping");
    });

    it("a group set in the portal on a profile that declares none stays unmanaged, and costs a refresh no request", async () => {
        const { id, outs } = await createChecked(deviceOwner, KIOSK);
        expect(outs[TARGET]).to.equal(null);
        ctx.emulator.setMembershipTargetInPortal(id, OWNED);
        ctx.emulator.clearRequests();
        const run = await laterRun(id, outs, KIOSK);
        expect(run.changes).to.equal(false);
        expect(graphCalls(ctx.emulator)).to.deep.equal(["GET get"]);
        expect(ctx.emulator.membershipTarget(id)!.targetId).to.equal(OWNED);
    });

    it("a group id in other letter case is the same group: no drift", async () => {
        const { id, outs } = await createChecked(deviceOwner, { ...KIOSK, [GROUP]: OWNED.toUpperCase() });
        expect((await laterRun(id, outs, { ...KIOSK, [GROUP]: OWNED.toUpperCase() })).changes).to.equal(false);
    });

    it("check refuses a group id that is not a GUID, naming the property", async () => {
        const result = await deviceOwner.check({}, { ...KIOSK, [GROUP]: "Kiosk devices", __provider: PROVIDER_TEXT });
        expect(result.failures).to.deep.equal([{ property: GROUP, reason: 'must be an Entra ID group object id (GUID), got "Kiosk devices"' }]);
    });

    for (const f of FAILURES) {
        it(`${f.code} on create (answered by integer): a created-but-failed error that says what to fix; the next run sets a group that passes`, async () => {
            // The codes answered as integers here, by name on update below: the service accepts both, so may write either.
            ctx.emulator.setBehaviour({ enumsAs: "number" });
            const inputs = await checked(deviceOwner, { ...KIOSK, [GROUP]: f.group });
            const err = await rejectionOf(deviceOwner.create(inputs));
            expect(err.message).to.match(f.fix);
            expect(err.message).to.include(`targetValidationErrorCode ${f.code}`);
            expect(err.message).to.include("was created and is kept in the stack");
            const id = err.id as string;
            const partial = err.properties as Props;
            expect(ctx.emulator.profiles(DEVICE_OWNER).map((p) => p.id)).to.deep.equal([id]);
            expect(partial, "the group is recorded as not applied").to.not.have.property(GROUP);
            expect(partial.tokenValue, "the token was applied and is kept").to.be.a("string");
            expect(ctx.emulator.membershipTarget(id)).to.equal(null);

            ctx.emulator.clearRequests();
            const retried = await laterRun(id, partial, { ...KIOSK, [GROUP]: OWNED });
            expect(retried.changes).to.equal(true);
            expect(ctx.emulator.membershipTarget(id)!.targetId).to.equal(OWNED);
            expect(retried.outs[TARGET]).to.deep.include({ targetValidationErrorCode: "unknown" });
            expect(count(graphCalls(ctx.emulator), "POST createToken"), "the token issued on create is kept").to.equal(0);
        });

        it(`${f.code} on update: an error that says what to fix, and nothing of the update applied`, async () => {
            const { id, outs } = await createChecked(deviceOwner, { ...KIOSK, [GROUP]: OWNED });
            const news = await checked(deviceOwner, { ...KIOSK, description: "Front desk", [GROUP]: f.group }, outs);
            const err = await rejectionOf(deviceOwner.update(id, outs, news));
            expect(err.message).to.match(/^Setting the enrollment-time device group of Android enrollment profile "Kiosk" failed: /);
            expect(err.message).to.match(f.fix);
            expect(ctx.emulator.membershipTarget(id)!.targetId, "the previous group stays").to.equal(OWNED);
            expect(ctx.emulator.profiles(DEVICE_OWNER)[0].description, "the rest of the update waits for a group that passes").to.equal(null);
        });
    }
});

describe("profiles: enrollment-time grouping's answers, as Intune may word them", () => {
    // A client that answers every action with `body`, and remembers what it was sent.
    const ctxAnswering = (body: unknown) => {
        const sent: { url: string; body: unknown }[] = [];
        const client = {
            url: (path: string) => `https://graph.example${path}`,
            request: async (_op: unknown, _method: string, url: string, b: unknown) => {
                sent.push({ url, body: b });
                return { status: 200, headers: {}, body };
            },
        };
        return { sent, ctx: { client, settings: { graphRoot: "https://graph.example" }, now: () => Date.now() } as unknown as ProfileContext };
    };
    const set = (body: unknown) => {
        const { ctx } = ctxAnswering(body);
        return enrollmentTimeGrouping.apply(androidDeviceOwnerKind, ctx, "p-1", {}, { displayName: "Kiosk", [GROUP]: OWNED });
    };

    it("a refusal with the code `unknown` still says what Intune checks", async () => {
        const err = await rejectionOf(
            set({
                validationSucceeded: false,
                enrollmentTimeDeviceMembershipTargetValidationStatuses: [{ targetId: OWNED, validationSucceeded: false, targetValidationErrorCode: "unknown" }],
            }),
        );
        expect(err.message).to.equal(
            `Setting the enrollment-time device group of Android enrollment profile "Kiosk" failed: Intune refused group ${OWNED} without saying why (targetValidationErrorCode unknown): ` +
                "check that it is a static security group owned by the Intune Provisioning Client service principal (appId f1346770-5b25-470b-88bd-d5744ab7952c); the profile's enrollment-time group was left as it was",
        );
    });

    it("a code this package does not know yet is named, not crashed on", async () => {
        const err = await rejectionOf(
            set({
                validationSucceeded: false,
                enrollmentTimeDeviceMembershipTargetValidationStatuses: [
                    { targetId: OWNED, validationSucceeded: false, targetValidationErrorCode: "groupIsArchived" },
                ],
            }),
        );
        expect(err.message).to.include("targetValidationErrorCode groupIsArchived");
    });

    it("accepts the result wrapped in {value} with OData annotations, and reports what the service said", async () => {
        const outs = await set({
            "@odata.context": "https://graph.example/beta/$metadata#microsoft.graph.enrollmentTimeDeviceMembershipTargetResult",
            value: {
                validationSucceeded: true,
                enrollmentTimeDeviceMembershipTargetValidationStatuses: [
                    { targetId: OWNED.toUpperCase(), validationSucceeded: true, targetValidationErrorCode: "unknown" },
                ],
            },
        });
        expect(outs[TARGET]).to.deep.equal(passed(OWNED));
    });

    it("an answer that does not decode is reported as such, with what came back", async () => {
        const err = await rejectionOf(set({ status: "ok" }));
        expect(err.message).to.match(
            /^Setting the enrollment-time device group of Android enrollment profile "Kiosk" failed: Graph answered with a result that does not decode .* got \{"status":"ok"\}/,
        );
    });

    it("sends the documented body to the documented action", async () => {
        const { ctx, sent } = ctxAnswering({ validationSucceeded: true, enrollmentTimeDeviceMembershipTargetValidationStatuses: [] });
        await enrollmentTimeGrouping.apply(androidDeviceOwnerKind, ctx, "p-1", {}, { displayName: "Kiosk", [GROUP]: OWNED });
        expect(sent).to.deep.equal([
            {
                url: "https://graph.example/deviceManagement/androidDeviceOwnerEnrollmentProfiles/p-1/setEnrollmentTimeDeviceMembershipTarget",
                body: { enrollmentTimeDeviceMembershipTargets: [{ targetType: "staticSecurityGroup", targetId: OWNED }] },
            },
        ]);
    });
});
