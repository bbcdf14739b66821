import { expect } from "chai";
import { BIND_STATUSES } from "../emulator";
import { ENROLLMENT_MODES, PROFILE_TYPES, TOKEN_TYPES, WIFI_SECURITY_TYPES } from "../emulator/profileTypes";
import { EnterpriseSettings, SETTINGS_ENUMS } from "../provider/enterprise/settings";
import { EnrollmentMode, EnrollmentTokenType, WifiSecurityType } from "../provider/profiles/kinds/androidDeviceOwner";
import { VALIDATION_ERROR_CODES } from "../provider/profiles/grouping";
import { KINDS } from "../provider/profiles/kinds";
import { useEmulator } from "./support/emulator";
import { deviceOwnerBody, expectGraphError, Graph, MODES } from "./support/emulatorGraph";
import { call } from "./support/http";

/**
 * GET /beta/$metadata serves Microsoft's published metadata for the two types, and both models (the emulator's and
 * the provider's) are held to it: names, enum members and values, what may be null, and createToken's parameter.
 */

interface Csdl {
    types: Map<string, Map<string, { type: string; nullable: boolean }>>;
    complexTypes: Map<string, Map<string, { type: string; nullable: boolean }>>;
    enums: Map<string, Map<string, number>>;
    actions: Map<string, { boundTo: string; parameters: Map<string, { type: string; nullable: boolean }>; returnType?: string }[]>;
}

function parseCsdl(xml: string): Csdl {
    const csdl: Csdl = { types: new Map(), complexTypes: new Map(), enums: new Map(), actions: new Map() };
    const props = (body: string, tag: string) =>
        new Map(
            [...body.matchAll(new RegExp(`<${tag} Name="([^"]+)" Type="([^"]+)"( Nullable="false")? />`, "g"))].map((m) => [
                m[1],
                { type: m[2], nullable: !m[3] },
            ]),
        );
    for (const m of xml.matchAll(/<EntityType Name="([^"]+)"[^>]*>([\s\S]*?)<\/EntityType>/g)) csdl.types.set(m[1], props(m[2], "Property"));
    for (const m of xml.matchAll(/<ComplexType Name="([^"]+)"[^>]*>([\s\S]*?)<\/ComplexType>/g)) csdl.complexTypes.set(m[1], props(m[2], "Property"));
    for (const m of xml.matchAll(/<EnumType Name="([^"]+)">([\s\S]*?)<\/EnumType>/g)) {
        csdl.enums.set(m[1], new Map([...m[2].matchAll(/<Member Name="([^"]+)" Value="(\d+)" \/>/g)].map((x) => [x[1], Number(x[2])])));
    }
    for (const m of xml.matchAll(/<Action Name="([^"]+)" IsBound="true">([\s\S]*?)<\/Action>/g)) {
        const boundTo = /Name="bindingParameter" Type="microsoft\.graph\.([^"]+)"/.exec(m[2])![1];
        const parameters = props(m[2].replace(/<Parameter Name="bindingParameter"[^>]*\/>/, ""), "Parameter");
        const returnType = /<ReturnType Type="([^"]+)"/.exec(m[2])?.[1];
        csdl.actions.set(m[1], [...(csdl.actions.get(m[1]) ?? []), { boundTo, parameters, returnType }]);
    }
    return csdl;
}

describe("emulator: Microsoft's metadata, and both models held to it", () => {
    const ctx = useEmulator();
    let csdl: Csdl;

    before(async () => {
        const res = await call(ctx.emulator.caPem, "GET", `${ctx.emulator.graphUrl}/beta/$metadata`, {});
        expect(res.status).to.equal(200);
        expect(res.headers["content-type"]).to.match(/^application\/xml/);
        csdl = parseCsdl(res.text);
    });

    it("serves both entity types, their enums and the token actions, without authentication", () => {
        expect([...csdl.types.keys()].sort()).to.deep.equal([
            "androidDeviceOwnerEnrollmentProfile",
            "androidForWorkEnrollmentProfile",
            "androidManagedStoreAccountEnterpriseSettings",
        ]);
        expect([...csdl.enums.keys()].sort()).to.deep.equal([
            "androidDeviceOwnerEnrollmentMode",
            "androidDeviceOwnerEnrollmentTokenType",
            "androidManagedStoreAccountAppSyncStatus",
            "androidManagedStoreAccountBindStatus",
            "androidManagedStoreAccountEnrollmentTarget",
            "aospWifiSecurityType",
            "enrollmentTimeDeviceMembershipTargetType",
            "enrollmentTimeDeviceMembershipTargetValidationErrorCode",
        ]);
        for (const action of ["createToken", "revokeToken"]) {
            expect(
                csdl.actions
                    .get(action)!
                    .map((a) => a.boundTo)
                    .sort(),
            ).to.deep.equal(["androidDeviceOwnerEnrollmentProfile", "androidForWorkEnrollmentProfile"]);
        }
        for (const a of csdl.actions.get("createToken")!) {
            expect(a.parameters.get("tokenValidityInSeconds")).to.deep.equal({ type: "Edm.Int32", nullable: false });
        }
    });

    it("serves enrollment-time grouping's three actions on the device-owner type only, with the shapes they take and answer", () => {
        const result = "microsoft.graph.enrollmentTimeDeviceMembershipTargetResult";
        const set = csdl.actions.get("setEnrollmentTimeDeviceMembershipTarget")!;
        expect(set.map((a) => a.boundTo)).to.deep.equal(["androidDeviceOwnerEnrollmentProfile"]);
        expect(set[0].parameters.get("enrollmentTimeDeviceMembershipTargets")).to.deep.equal({
            type: "Collection(microsoft.graph.enrollmentTimeDeviceMembershipTarget)",
            nullable: true,
        });
        expect(set[0].returnType).to.equal(result);
        const retrieve = csdl.actions.get("retrieveEnrollmentTimeDeviceMembershipTarget")!;
        expect(retrieve.map((a) => [a.boundTo, a.parameters.size, a.returnType])).to.deep.equal([["androidDeviceOwnerEnrollmentProfile", 0, result]]);
        const clear = csdl.actions.get("clearEnrollmentTimeDeviceMembershipTarget")!;
        expect(clear.map((a) => [a.boundTo, a.parameters.size, a.returnType])).to.deep.equal([["androidDeviceOwnerEnrollmentProfile", 0, undefined]]);
        expect([...csdl.complexTypes.get("enrollmentTimeDeviceMembershipTargetStatus")!.keys()].sort()).to.deep.equal([
            "targetId",
            "targetValidationErrorCode",
            "validationSucceeded",
        ]);
        expect([...csdl.complexTypes.get("enrollmentTimeDeviceMembershipTargetResult")!.keys()].sort()).to.deep.equal([
            "enrollmentTimeDeviceMembershipTargetValidationStatuses",
            "validationSucceeded",
        ]);
        expect([...csdl.enums.get("enrollmentTimeDeviceMembershipTargetValidationErrorCode")!.keys()]).to.deep.equal([
            "unknown",
            "securityGroupNotFound",
            "notSecurityGroup",
            "notStaticSecurityGroup",
            "firstPartyAppNotAnOwner",
            "securityGroupNotInCallerScope",
            "unknownFutureValue",
        ]);
    });

    it("serves the tenant's Android Enterprise settings with the switch's action, and the emulator and provider hold to them", async () => {
        const declared = csdl.types.get("androidManagedStoreAccountEnterpriseSettings")!;
        expect(declared.get("bindStatus")).to.deep.equal({ type: "microsoft.graph.androidManagedStoreAccountBindStatus", nullable: false });
        expect(declared.get("androidDeviceOwnerFullyManagedEnrollmentEnabled")).to.deep.equal({ type: "Edm.Boolean", nullable: false });
        expect([...csdl.enums.get("androidManagedStoreAccountBindStatus")!.keys()]).to.deep.equal([...BIND_STATUSES]);
        const action = csdl.actions.get("setAndroidDeviceOwnerFullyManagedEnrollmentState")!;
        expect(action.map((a) => [a.boundTo, Object.fromEntries(a.parameters), a.returnType])).to.deep.equal([
            ["androidManagedStoreAccountEnterpriseSettings", { enabled: { type: "Edm.Boolean", nullable: false } }, undefined],
        ]);
        // What the emulator answers is what the metadata declares; what the provider reads, too (never the company codes).
        const served = (await new Graph(ctx.emulator).get("/deviceManagement/androidManagedStoreAccountEnterpriseSettings")).json;
        expect(
            Object.keys(served)
                .filter((k) => !k.startsWith("@odata") && k !== "id")
                .sort(),
        ).to.deep.equal([...declared.keys()].sort());
        for (const p of Object.keys(EnterpriseSettings.props)) if (p !== "id") expect(declared.has(p), p).to.equal(true);
        expect(Object.keys(EnterpriseSettings.props)).to.not.include("companyCodes");
    });

    it("the emulator knows exactly the metadata's properties and enum values", () => {
        for (const type of Object.values(PROFILE_TYPES)) {
            const declared = csdl.types.get(type.odataType.replace("#microsoft.graph.", ""))!;
            expect([...type.writable, ...type.serverOwned].filter((p) => p !== "id").sort()).to.deep.equal([...declared.keys()].sort());
        }
        expect(Object.fromEntries(csdl.enums.get("androidDeviceOwnerEnrollmentMode")!)).to.deep.equal(ENROLLMENT_MODES);
        expect(Object.fromEntries(csdl.enums.get("androidDeviceOwnerEnrollmentTokenType")!)).to.deep.equal(TOKEN_TYPES);
        expect(Object.fromEntries(csdl.enums.get("aospWifiSecurityType")!)).to.deep.equal(WIFI_SECURITY_TYPES);
    });

    it("the provider selects and writes only properties the metadata declares, with its enums' members", () => {
        for (const kind of Object.values(KINDS)) {
            const declared = csdl.types.get(kind.odataType.replace("#microsoft.graph.", ""))!;
            for (const p of [...kind.select, ...kind.writable].filter((x) => x !== "id")) expect(declared.has(p), `${kind.name}.${p}`).to.equal(true);
        }
        expect(Object.keys(EnrollmentMode.keys).sort()).to.deep.equal([...csdl.enums.get("androidDeviceOwnerEnrollmentMode")!.keys()].sort());
        expect(Object.keys(EnrollmentTokenType.keys).sort()).to.deep.equal([...csdl.enums.get("androidDeviceOwnerEnrollmentTokenType")!.keys()].sort());
        expect(Object.keys(WifiSecurityType.keys).sort()).to.deep.equal([...csdl.enums.get("aospWifiSecurityType")!.keys()].sort());
    });

    it("the provider reads the tenant settings' and a group result's enums by the metadata's integers", () => {
        const readings: [string, readonly string[]][] = [
            ...Object.entries(SETTINGS_ENUMS),
            ["enrollmentTimeDeviceMembershipTargetValidationErrorCode", VALIDATION_ERROR_CODES],
        ];
        for (const [name, members] of readings) {
            const declared = [...csdl.enums.get(name)!.entries()].filter(([member]) => member !== "unknownFutureValue");
            expect(
                members.map((m, i) => [m, i]),
                name,
            ).to.deep.equal(declared);
        }
    });

    it("the provider never clears a non-nullable property with null", () => {
        for (const kind of Object.values(KINDS)) {
            const declared = csdl.types.get(kind.odataType.replace("#microsoft.graph.", ""))!;
            for (const [p, cleared] of Object.entries(kind.clearedValues)) {
                if (!declared.get(p)!.nullable) expect(cleared, `${kind.name}.${p} is cleared to a value`).to.not.equal(null);
            }
        }
    });

    it("refuses null for a non-nullable property, as an OData service does, and accepts it for a nullable one", async () => {
        const g = new Graph(ctx.emulator);
        expectGraphError(
            await g.post(g.collection("androidDeviceOwnerEnrollmentProfiles"), deviceOwnerBody(MODES.aospUserless, { configureWifi: null })),
            400,
            "BadRequest",
            "configureWifi",
        );
        const created = await g.create("androidDeviceOwnerEnrollmentProfiles", deviceOwnerBody(MODES.dedicated, { description: null }));
        expectGraphError(
            await g.patch(g.item("androidDeviceOwnerEnrollmentProfiles", created.id), { enrollmentTokenType: null }),
            400,
            "BadRequest",
            "Nullable=False",
        );
        expect((await g.patch(g.item("androidDeviceOwnerEnrollmentProfiles", created.id), { deviceNameTemplate: null })).status).to.equal(204);
    });
});
