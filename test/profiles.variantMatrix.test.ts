import { expect } from "chai";
import { Behaviour, BEHAVIOUR_VARIANTS, DEFAULT_GROUPS } from "../emulator";
import {
    checked,
    count,
    createChecked,
    DAY_MS,
    DEVICE_OWNER,
    deviceOwner,
    DynamicProvider,
    FOR_WORK,
    forWork,
    graphCalls,
    Props,
    PROVIDER_TEXT,
    useProfileEmulator,
    expectLostCreateFoundByProbe,
} from "./support/profiles";

/**
 * The provider's whole lifecycle over every reading of every behaviour the spec leaves unconfirmed: the emulator
 * plays one reading at a time (BEHAVIOUR_VARIANTS), and each profile type and mode goes through create, a second run
 * with no change, an in-place update, a token renewal, a create whose answer is lost, and delete with revocation.
 * A reading the provider cannot handle fails here rather than in a tenant that happens to answer that way.
 */

type Collection = typeof DEVICE_OWNER | typeof FOR_WORK;

interface Subject {
    title: string;
    provider: DynamicProvider;
    collection: Collection;
    program: Props;
    /** Tokens of this program expire, so renewal applies. */
    expires: boolean;
}

const SUBJECTS: Subject[] = [
    {
        title: "dedicated",
        provider: deviceOwner,
        collection: DEVICE_OWNER,
        // With an enrollment-time group: every reading goes through setting it and reading it back.
        program: {
            displayName: "Kiosk",
            enrollmentMode: "corporateOwnedDedicatedDevice",
            tokenValidityDays: 30,
            renewTokenWithinDays: 7,
            enrollmentTimeDeviceGroupId: DEFAULT_GROUPS[0].id,
        },
        expires: true,
    },
    {
        title: "fully managed",
        provider: deviceOwner,
        collection: DEVICE_OWNER,
        program: { displayName: "COBO", enrollmentMode: "corporateOwnedFullyManaged" },
        expires: false,
    },
    {
        title: "work profile",
        provider: deviceOwner,
        collection: DEVICE_OWNER,
        program: { displayName: "COPE", enrollmentMode: "corporateOwnedWorkProfile", roleScopeTagIds: ["0", "7"] },
        expires: false,
    },
    {
        title: "device staging",
        provider: deviceOwner,
        collection: DEVICE_OWNER,
        program: {
            displayName: "Staging",
            enrollmentMode: "corporateOwnedFullyManaged",
            enrollmentTokenType: "deviceStaging",
            tokenValidityDays: 20,
            renewTokenWithinDays: 5,
        },
        expires: true,
    },
    {
        title: "AOSP with Wi-Fi",
        provider: deviceOwner,
        collection: DEVICE_OWNER,
        program: {
            displayName: "Headsets",
            enrollmentMode: "corporateOwnedAOSPUserlessDevice",
            tokenValidityDays: 60,
            renewTokenWithinDays: 10,
            wifiSsid: "corp-iot",
            wifiSecurityType: "wpa",
            wifiPassword: "Corr3ct-Horse-Battery-Staple",
        },
        expires: true,
    },
    { title: "legacy Android for Work", provider: forWork, collection: FOR_WORK, program: { displayName: "Legacy", renewTokenWithinDays: 14 }, expires: true },
];

const variants = Object.entries(BEHAVIOUR_VARIANTS).flatMap(([name, values]) =>
    (values as readonly unknown[]).map((value) => ({ name, value, patch: { [name]: value } as Partial<Behaviour> })),
);

describe("profiles: the lifecycle over every reading of the unconfirmed behaviours", function () {
    this.timeout(60_000);
    const ctx = useProfileEmulator();

    async function laterRun(s: Subject, id: string, outs: Props, program: Props): Promise<{ changes: boolean; outs: Props }> {
        const refreshed = await s.provider.read(id, { ...outs, __provider: PROVIDER_TEXT });
        expect(refreshed.id, "a refresh still finds the profile").to.equal(id);
        const news = await checked(s.provider, program, refreshed.inputs);
        const diff = await s.provider.diff(id, refreshed.props!, news);
        expect(diff.replaces ?? [], "nothing here replaces the profile").to.deep.equal([]);
        if (!diff.changes) return { changes: false, outs: refreshed.props! };
        return { changes: true, outs: (await s.provider.update(id, refreshed.props!, news)).outs! };
    }

    const stored = (s: Subject, id: string): Props => ctx.emulator.profiles(s.collection).find((p) => p.id === id)!;

    for (const s of SUBJECTS) {
        for (const v of variants) {
            it(`${s.title}, ${v.name} = ${JSON.stringify(v.value)}: create, no-change run, update, renewal, lost create, delete`, async () => {
                ctx.emulator.setBehaviour(v.patch);
                const program: Props = { ...s.program, revokeTokenOnDelete: true };

                const { id, outs } = await createChecked(s.provider, program);
                expect(outs.tokenValue, "created with a token").to.equal(stored(s, id).tokenValue).and.be.a("string");
                if (program.enrollmentTimeDeviceGroupId) expect(ctx.emulator.membershipTarget(id)?.targetId).to.equal(program.enrollmentTimeDeviceGroupId);

                const second = await laterRun(s, id, outs, program);
                expect(second.changes, "the second run has nothing to do").to.equal(false);

                const renamed: Props = { ...program, displayName: `${String(s.program.displayName)} (renamed)` };
                const updated = await laterRun(s, id, second.outs, renamed);
                expect(updated.changes).to.equal(true);
                expect(updated.outs.displayName).to.equal(renamed.displayName);
                expect(updated.outs.tokenValue, "an update keeps the token").to.equal(outs.tokenValue);
                expect(stored(s, id).displayName).to.equal(renamed.displayName);

                let current = updated.outs;
                if (s.expires) {
                    const soon = new Date(Date.now() + 2 * DAY_MS).toISOString();
                    ctx.emulator.changeInPortal(s.collection, id, { tokenExpirationDateTime: soon });
                    ctx.emulator.clearRequests();
                    const renewed = await laterRun(s, id, current, renamed);
                    expect(renewed.changes, "a token inside its renewal window is renewed").to.equal(true);
                    expect(renewed.outs.tokenValue).to.not.equal(outs.tokenValue);
                    expect(renewed.outs.tokenValue).to.equal(stored(s, id).tokenValue);
                    expect(count(graphCalls(ctx.emulator), "POST createToken")).to.equal(1);
                    current = renewed.outs;
                }
                const settled = await laterRun(s, id, current, renamed);
                expect(settled.changes, "and then nothing is due").to.equal(false);

                ctx.emulator.setFaults({ rules: [{ method: "POST", path: `/${s.collection}$`, drop: true, afterCommit: true, times: 1 }] });
                ctx.emulator.clearRequests();
                const lost = await createChecked(s.provider, { ...program, displayName: "Created while the network dropped" });
                expectLostCreateFoundByProbe(ctx.emulator, 0);
                expect(ctx.emulator.profiles(s.collection).map((p) => p.id)).to.have.members([id, lost.id]);
                expect(lost.outs.tokenValue).to.equal(stored(s, lost.id).tokenValue).and.be.a("string");
                // createToken only where the profile has no token yet (legacy), or the service did not take the
                // declared expiry on create (a service that refuses read-only properties is remembered per process).
                const tokenCalls = count(graphCalls(ctx.emulator), "POST createToken");
                if (s.collection === FOR_WORK) expect(tokenCalls, "legacy profiles get their token by createToken").to.equal(1);
                else if (!s.expires) expect(tokenCalls, "no second token for a profile created with one").to.equal(0);
                else expect(tokenCalls, "at most one token to apply the declared validity").to.be.at.most(1);

                await s.provider.delete(id, settled.outs);
                await s.provider.delete(lost.id, lost.outs);
                expect(ctx.emulator.profiles(s.collection)).to.deep.equal([]);
            });
        }
    }
});
