import { expect } from "chai";
import { adoptionLine, findOrphans, isMarked, orphansNamed, profilesInState, StateFormatError, TenantProfile } from "../../provider/orphans/compare";
import { parseOrphansArguments, UsageError } from "../../provider/orphans/command";

/** The comparison behind `pulumi-intune-enrollment orphans`, on data: an exported state and a tenant's profiles. */

const OWNER = "pulumi-nodejs:dynamic/intune:AndroidDeviceOwnerEnrollmentProfile";
const FOR_WORK = "pulumi-nodejs:dynamic/intune:AndroidForWorkEnrollmentProfile";
const urn = (type: string, name: string) => `urn:pulumi:dev::fleet::${type}::${name}`;
const id = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;

function exported(resources: unknown[], pending: unknown[] = []): unknown {
    return { version: 3, deployment: { manifest: { time: "2026-11-29T05:00:00Z" }, resources, pending_operations: pending } };
}
const resource = (type: string, name: string, n: number, displayName: unknown = `Fleet ${name}`) => ({
    urn: urn(type, name),
    type,
    custom: true,
    id: id(n),
    inputs: { displayName },
    outputs: { displayName, tokenValue: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:abc" } },
});
const pendingOp = (type: string, name: string, operation: string, extra: Record<string, unknown> = {}) => ({
    type: operation,
    resource: { urn: urn(type, name), type, custom: true, inputs: { displayName: `Fleet ${name}` }, ...extra },
});
const tenant = (
    kind: "androidDeviceOwnerEnrollmentProfile" | "androidForWorkEnrollmentProfile",
    n: number,
    displayName: string,
    manageable = true,
): TenantProfile => ({
    kind,
    id: id(n),
    displayName,
    createdDateTime: "2026-11-29T05:01:00Z",
    manageable,
    tokenIssued: true,
});

describe("orphans: reading an exported stack state", () => {
    it("finds the profile resources of both types with their ids, resource names and plain displayNames, and nothing else", () => {
        const state = profilesInState(
            exported([
                { urn: "urn:pulumi:dev::fleet::pulumi:pulumi:Stack::fleet-dev", type: "pulumi:pulumi:Stack", custom: false },
                { urn: "urn:pulumi:dev::fleet::pulumi:providers:pulumi-nodejs::default", type: "pulumi:providers:pulumi-nodejs", custom: true, id: "x" },
                resource(OWNER, "kiosk", 1),
                resource(FOR_WORK, "legacy", 2),
            ]),
        );
        expect(state.managed).to.deep.equal([
            { kind: "androidDeviceOwnerEnrollmentProfile", urn: urn(OWNER, "kiosk"), name: "kiosk", id: id(1), displayName: "Fleet kiosk" },
            { kind: "androidForWorkEnrollmentProfile", urn: urn(FOR_WORK, "legacy"), name: "legacy", id: id(2), displayName: "Fleet legacy" },
        ]);
        expect(state.pending).to.deep.equal([]);
    });

    it("leaves a displayName kept as a secret unknown instead of reading ciphertext as a name", () => {
        const secret = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "v1:xyz" };
        const state = profilesInState(exported([resource(OWNER, "kiosk", 1, secret)]));
        expect(state.managed[0].displayName).to.equal(undefined);
        expect(state.managed[0].id).to.equal(id(1));
    });

    it("reads the pending operations of a killed run: creates without an id, updates and deletes with theirs", () => {
        const state = profilesInState(
            exported(
                [],
                [
                    pendingOp(OWNER, "kiosk-07", "creating"),
                    pendingOp(FOR_WORK, "legacy", "deleting", { id: id(9) }),
                    pendingOp("random:index/randomPet:RandomPet", "pet", "creating"),
                ],
            ),
        );
        expect(state.pending).to.deep.equal([
            {
                kind: "androidDeviceOwnerEnrollmentProfile",
                urn: urn(OWNER, "kiosk-07"),
                name: "kiosk-07",
                operation: "creating",
                id: undefined,
                displayName: "Fleet kiosk-07",
            },
            {
                kind: "androidForWorkEnrollmentProfile",
                urn: urn(FOR_WORK, "legacy"),
                name: "legacy",
                operation: "deleting",
                id: id(9),
                displayName: "Fleet legacy",
            },
        ]);
    });

    it("refuses something that is not `pulumi stack export` output", () => {
        expect(() => profilesInState({ resources: [] })).to.throw(StateFormatError, /pulumi stack export/);
        expect(() => profilesInState({ deployment: { resources: {} } })).to.throw(StateFormatError, /must be lists/);
    });
});

describe("orphans: which tenant profiles no resource owns", () => {
    const state = profilesInState(
        exported(
            [resource(OWNER, "kiosk-01", 1), resource(OWNER, "kiosk-02", 2), resource(FOR_WORK, "legacy", 3)],
            [
                pendingOp(OWNER, "kiosk-03", "creating"),
                pendingOp(OWNER, "kiosk-02", "updating", { id: id(2) }),
                pendingOp(FOR_WORK, "old", "deleting", { id: id(4) }),
            ],
        ),
    );

    it("lists nothing when every profile is owned, including those in the middle of an update or delete", () => {
        const profiles = [
            tenant("androidDeviceOwnerEnrollmentProfile", 1, "Fleet kiosk-01"),
            tenant("androidDeviceOwnerEnrollmentProfile", 2, "Fleet kiosk-02"),
            tenant("androidForWorkEnrollmentProfile", 3, "Fleet legacy"),
            tenant("androidForWorkEnrollmentProfile", 4, "Fleet old"),
        ];
        expect(findOrphans(state, profiles)).to.deep.equal([]);
    });

    it("ties a profile to the pending create with its type and displayName, and names that resource for adoptExistingId", () => {
        const [orphan] = findOrphans(state, [tenant("androidDeviceOwnerEnrollmentProfile", 10, "Fleet kiosk-03")]);
        expect(orphan.pendingCreate).to.deep.equal({ name: "kiosk-03", urn: urn(OWNER, "kiosk-03") });
        expect(orphan.createdDuringInterruptedRun).to.equal(true);
        expect(orphan.adoptInto).to.deep.equal({ name: "kiosk-03", urn: urn(OWNER, "kiosk-03") });
        expect(isMarked(orphan)).to.equal(true);
        expect(adoptionLine(orphan)).to.equal(`adoptExistingId: "${id(10)}"  on resource "kiosk-03" (AndroidDeviceOwnerEnrollmentProfile)`);
    });

    it("lists the profile of a pending create that carries its id (saved after the profile was made), tied to that create", () => {
        const killed = profilesInState(exported([resource(OWNER, "kiosk-01", 1)], [pendingOp(OWNER, "kiosk-05", "creating", { id: id(11) })]));
        const orphans = findOrphans(killed, [
            tenant("androidDeviceOwnerEnrollmentProfile", 1, "Fleet kiosk-01"),
            tenant("androidDeviceOwnerEnrollmentProfile", 11, "Fleet kiosk-05"),
            tenant("androidDeviceOwnerEnrollmentProfile", 12, "Fleet kiosk-05"),
        ]);
        expect(orphans.map((o) => [o.profile.id, o.pendingCreate?.name ?? null])).to.deep.equal([
            [id(11), "kiosk-05"],
            [id(12), null],
        ]);
    });

    it("never ties a profile of the other type to a pending create, though it has the create's displayName", () => {
        const [orphan] = findOrphans(state, [tenant("androidForWorkEnrollmentProfile", 17, "Fleet kiosk-03")]);
        expect(orphan.pendingCreate).to.equal(undefined);
        expect(orphan.createdDuringInterruptedRun).to.equal(false);
        expect(orphan.adoptInto).to.equal(undefined);
        expect(isMarked(orphan)).to.equal(false);
    });

    it("selects the orphans named by id (any letter case), and refuses an id the stack owns or no orphan has", () => {
        const orphans = findOrphans(state, [
            tenant("androidDeviceOwnerEnrollmentProfile", 10, "Fleet kiosk-03"),
            tenant("androidForWorkEnrollmentProfile", 13, "Made in the portal"),
        ]);
        expect(orphansNamed(orphans, state, [id(13).toUpperCase()]).selected.map((o) => o.profile.id)).to.deep.equal([id(13)]);
        const { selected, problems } = orphansNamed(orphans, state, [id(10), id(1), id(4), id(99)]);
        expect(selected.map((o) => o.profile.id)).to.deep.equal([id(10)]);
        expect(problems).to.deep.equal([
            `${id(1)} belongs to resource "kiosk-01" of the stack (AndroidDeviceOwnerEnrollmentProfile): it is not an orphan`,
            `${id(4)} belongs to resource "old" of the stack (AndroidForWorkEnrollmentProfile): it is not an orphan`,
            `${id(99)} is not among the orphans found (not in the tenant, of another --type, or a built-in profile)`,
        ]);
    });

    it("marks a duplicate of a managed profile's displayName, of the same type only", () => {
        const orphans = findOrphans(state, [
            tenant("androidDeviceOwnerEnrollmentProfile", 11, "Fleet kiosk-01"),
            tenant("androidForWorkEnrollmentProfile", 12, "Fleet kiosk-01"),
        ]);
        expect(orphans.map((o) => [o.profile.id, o.sameNameAs.map((m) => m.name)])).to.deep.equal([
            [id(11), ["kiosk-01"]],
            [id(12), []],
        ]);
        expect(orphans.map(isMarked)).to.deep.equal([true, false]);
        expect(orphans[0].pendingCreate).to.equal(undefined);
    });

    it("lists a profile nothing ties to the stack unmarked, with the line to adopt it on a new resource", () => {
        const [orphan] = findOrphans(state, [tenant("androidForWorkEnrollmentProfile", 13, "Made in the portal")]);
        expect(isMarked(orphan)).to.equal(false);
        expect(orphan.adoptInto).to.equal(undefined);
        expect(adoptionLine(orphan)).to.equal(
            `new AndroidForWorkEnrollmentProfile("<name>", { displayName: "Made in the portal", ..., adoptExistingId: "${id(13)}" })`,
        );
    });

    it("never lists a built-in profile, and only the types asked for", () => {
        const profiles = [
            tenant("androidDeviceOwnerEnrollmentProfile", 14, "Default", false),
            tenant("androidForWorkEnrollmentProfile", 15, "Legacy extra"),
            tenant("androidDeviceOwnerEnrollmentProfile", 16, "Owner extra"),
        ];
        expect(findOrphans(state, profiles).map((o) => o.profile.id)).to.deep.equal([id(16), id(15)]);
        expect(findOrphans(state, profiles, ["androidForWorkEnrollmentProfile"]).map((o) => o.profile.id)).to.deep.equal([id(15)]);
    });

    it("after the next run created the resource anew, calls the pending create's profile a duplicate and no longer offers that resource for adoption", () => {
        const later = profilesInState(exported([resource(OWNER, "kiosk-03", 20)], [pendingOp(OWNER, "kiosk-03", "creating")]));
        const [orphan] = findOrphans(later, [
            tenant("androidDeviceOwnerEnrollmentProfile", 20, "Fleet kiosk-03"),
            tenant("androidDeviceOwnerEnrollmentProfile", 21, "Fleet kiosk-03"),
        ]);
        expect(orphan.profile.id).to.equal(id(21));
        expect(orphan.sameNameAs.map((m) => m.id)).to.deep.equal([id(20)]);
        expect(orphan.createdDuringInterruptedRun).to.equal(true);
        expect(orphan.adoptInto).to.equal(undefined);
    });
});

describe("orphans: command-line options", () => {
    it("defaults to both profile types in the current folder's selected stack, listing only", () => {
        expect(parseOrphansArguments([], "/work/fleet")).to.deep.equal({
            cwd: "/work/fleet",
            kinds: ["androidDeviceOwnerEnrollmentProfile", "androidForWorkEnrollmentProfile"],
            markedOnly: false,
            ids: [],
            delete: false,
            yes: false,
            json: false,
        });
    });

    it("takes --id, repeated or with ids separated by commas, and refuses what is not a profile id", () => {
        const a = "3f2504e0-4f89-41d3-9a0c-0305e82c3301";
        const b = "3f2504e0-4f89-41d3-9a0c-0305e82c3302";
        const c = "3f2504e0-4f89-41d3-9a0c-0305e82c3303";
        expect(parseOrphansArguments(["--id", `${a},${b}`, `--id=${c}`], "/w").ids).to.deep.equal([a, b, c]);
        expect(() => parseOrphansArguments(["--id", "kiosk-02"], "/w")).to.throw("--id kiosk-02: not a profile id (GUID)");
        expect(() => parseOrphansArguments(["--id"], "/w")).to.throw("--id needs a value");
    });

    it("takes --cwd, --stack, --state (relative to the current folder), --type by either name, and the switches", () => {
        const options = parseOrphansArguments(
            ["--cwd", "infra", "--stack=prod", "--state", "s.json", "--type", "AndroidForWorkEnrollmentProfile", "--marked", "--delete", "--yes", "--json"],
            "/work",
        );
        expect(options).to.deep.equal({
            cwd: "/work/infra",
            stack: "prod",
            stateFile: "/work/s.json",
            kinds: ["androidForWorkEnrollmentProfile"],
            markedOnly: true,
            ids: [],
            delete: true,
            yes: true,
            json: true,
        });
        expect(parseOrphansArguments(["--type", "androidDeviceOwner"], "/w").kinds).to.deep.equal(["androidDeviceOwnerEnrollmentProfile"]);
    });

    it("rejects unknown options, unknown types and missing values", () => {
        expect(() => parseOrphansArguments(["--force"])).to.throw(UsageError, /unknown option --force/);
        expect(() => parseOrphansArguments(["--type", "ios"])).to.throw(UsageError, /AndroidDeviceOwnerEnrollmentProfile or AndroidForWorkEnrollmentProfile/);
        expect(() => parseOrphansArguments(["--stack"])).to.throw(UsageError, /--stack needs a value/);
    });
});
