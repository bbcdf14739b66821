import { expect } from "chai";
import { useEmulator } from "./support/emulator";
import { DEVICE_OWNER, deviceOwnerBody, expectGraphError, Graph, Json, LEGACY, legacyBody, MODES, TOKEN_SELECT } from "./support/emulatorGraph";

const SECRET_FIELDS = ["tokenValue", "qrCodeContent", "qrCodeImage"];

function expectSecretsNull(entity: Json): void {
    for (const f of SECRET_FIELDS) expect(entity[f], f).to.equal(null);
}

function expectSecretsPresent(entity: Json): void {
    expect(entity.tokenValue).to.be.a("string");
    expect(entity.qrCodeContent).to.be.a("string");
    expect(entity.qrCodeImage.type).to.equal("image/png");
}

const names = (list: Json): string[] => list.value.map((p: Json) => p.displayName as string).sort();
const q = (s: string): string => encodeURIComponent(s);

describe("emulator OData: $select and the secret token fields", () => {
    const ctx = useEmulator();
    const graph = (): Graph => new Graph(ctx.emulator);

    it("returns token and QR fields as null on a plain get", async () => {
        const g = graph();
        const created = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated));
        expectSecretsNull(await g.read(DEVICE_OWNER, created.id));
    });

    it("returns them on a get that selects them, with the id and nothing unselected", async () => {
        const g = graph();
        const created = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated));
        const read = await g.read(DEVICE_OWNER, created.id, TOKEN_SELECT);
        expectSecretsPresent(read);
        expect(read.tokenValue).to.equal(created.tokenValue);
        expect(read.id).to.equal(created.id);
        expect(read).to.not.have.property("displayName");
        expect(read["@odata.context"]).to.contain(`${DEVICE_OWNER}(${TOKEN_SELECT})/$entity`);
    });

    it('returns them as null in a list even when selected, and filled in a selecting list with listTokenFields "whenSelected"', async () => {
        const g = graph();
        await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.fullyManaged));
        const plain = await g.get(g.collection(DEVICE_OWNER));
        expect(plain.json.value).to.have.length(1);
        expectSecretsNull(plain.json.value[0]);
        expectSecretsNull((await g.get(g.collection(DEVICE_OWNER, `?$select=id,displayName,${TOKEN_SELECT}`))).json.value[0]);
        ctx.emulator.setBehaviour({ listTokenFields: "whenSelected" });
        const selected = await g.get(g.collection(DEVICE_OWNER, `?$select=id,displayName,${TOKEN_SELECT}`));
        expectSecretsPresent(selected.json.value[0]);
    });

    it("answers an unknown $select property with 400", async () => {
        const g = graph();
        const res = await g.get(g.collection(DEVICE_OWNER, "?$select=displayName,tokenSecret"));
        expectGraphError(res, 400, "BadRequest", "tokenSecret");
        const created = await g.create(LEGACY, legacyBody());
        expectGraphError(await g.get(g.item(LEGACY, created.id, "?$select=enrollmentMode")), 400, "BadRequest", "enrollmentMode");
    });

    it("puts @odata.context and @odata.type on lists, gets and creates", async () => {
        const g = graph();
        const created = await g.post(g.collection(DEVICE_OWNER), deviceOwnerBody(MODES.dedicated));
        expect(created.json["@odata.context"]).to.match(/\$metadata#deviceManagement\/androidDeviceOwnerEnrollmentProfiles\/\$entity$/);
        expect(created.json["@odata.type"]).to.equal("#microsoft.graph.androidDeviceOwnerEnrollmentProfile");
        const list = await g.get(g.collection(DEVICE_OWNER));
        expect(list.json["@odata.context"]).to.match(/\$metadata#deviceManagement\/androidDeviceOwnerEnrollmentProfiles$/);
        expect(list.json.value[0]["@odata.type"]).to.equal("#microsoft.graph.androidDeviceOwnerEnrollmentProfile");
        const legacy = await g.create(LEGACY, legacyBody());
        expect((await g.read(LEGACY, legacy.id))["@odata.type"]).to.equal("#microsoft.graph.androidForWorkEnrollmentProfile");
    });
});

describe("emulator OData: behaviour.tokenFieldsOnGet", () => {
    const ctx = useEmulator({ behaviour: { tokenFieldsOnGet: true } });

    it("returns the token fields on a plain get but still not in a plain list", async () => {
        const g = new Graph(ctx.emulator);
        const created = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.workProfile));
        const read = await g.read(DEVICE_OWNER, created.id);
        expectSecretsPresent(read);
        expect(read.tokenValue).to.equal(created.tokenValue);
        expectSecretsNull((await g.get(g.collection(DEVICE_OWNER))).json.value[0]);
    });
});

describe("emulator OData: $filter", () => {
    const ctx = useEmulator();
    const graph = (): Graph => new Graph(ctx.emulator);
    const list = async (g: Graph, filter: string): Promise<string[]> => {
        const res = await g.get(g.collection(DEVICE_OWNER, `?$filter=${q(filter)}`));
        expect(res.status, res.text).to.equal(200);
        return names(res.json);
    };

    /** Kiosk A (dedicated, 1 day), Kiosk B (AOSP, 30 days), Office (fully managed, never expires). */
    async function seed(g: Graph): Promise<void> {
        const kioskA = await g.create(DEVICE_OWNER, { displayName: "Kiosk A", enrollmentMode: MODES.dedicated });
        await g.post(g.item(DEVICE_OWNER, kioskA.id, "/createToken"), { tokenValidityInSeconds: 86_400 });
        const kioskB = await g.create(DEVICE_OWNER, { displayName: "Kiosk B", enrollmentMode: MODES.aospUserless });
        await g.post(g.item(DEVICE_OWNER, kioskB.id, "/createToken"), { tokenValidityInSeconds: 30 * 86_400 });
        await g.create(DEVICE_OWNER, { displayName: "Office", enrollmentMode: MODES.fullyManaged });
    }

    it("filters on displayName eq", async () => {
        const g = graph();
        await seed(g);
        expect(await list(g, "displayName eq 'Kiosk B'")).to.deep.equal(["Kiosk B"]);
        expect(await list(g, "displayName eq 'Nobody'")).to.deep.equal([]);
    });

    it("filters on enrollmentMode eq", async () => {
        const g = graph();
        await seed(g);
        expect(await list(g, `enrollmentMode eq '${MODES.fullyManaged}'`)).to.deep.equal(["Office"]);
    });

    it("filters on tokenExpirationDateTime lt and gt", async () => {
        const g = graph();
        await seed(g);
        const inTenDays = new Date(Date.now() + 10 * 86_400_000).toISOString();
        expect(await list(g, `tokenExpirationDateTime lt ${inTenDays}`)).to.deep.equal(["Kiosk A"]);
        expect(await list(g, `tokenExpirationDateTime gt ${inTenDays}`)).to.deep.equal(["Kiosk B", "Office"]);
    });

    it("filters with startswith", async () => {
        const g = graph();
        await seed(g);
        expect(await list(g, "startswith(displayName,'Kiosk')")).to.deep.equal(["Kiosk A", "Kiosk B"]);
    });

    it("combines predicates with and / or", async () => {
        const g = graph();
        await seed(g);
        expect(await list(g, `startswith(displayName,'Kiosk') and enrollmentMode eq '${MODES.aospUserless}'`)).to.deep.equal(["Kiosk B"]);
        expect(await list(g, "displayName eq 'Kiosk A' or displayName eq 'Office'")).to.deep.equal(["Kiosk A", "Office"]);
    });

    it("answers a filter on an unsupported property with 400", async () => {
        const g = graph();
        expectGraphError(await g.get(g.collection(DEVICE_OWNER, `?$filter=${q("description eq 'x'")}`)), 400, "BadRequest", "description");
    });

    it("answers a malformed filter with 400", async () => {
        const g = graph();
        expectGraphError(await g.get(g.collection(DEVICE_OWNER, `?$filter=${q("displayName eq")}`)), 400, "BadRequest");
    });
});

describe("emulator OData: $top and @odata.nextLink paging", () => {
    const ctx = useEmulator({ behaviour: { maxPageSize: 4, listTokenFields: "whenSelected" } });
    const graph = (): Graph => new Graph(ctx.emulator);

    async function seed(g: Graph, n: number): Promise<string[]> {
        const ids: string[] = [];
        for (let i = 0; i < n; i++) ids.push((await g.create(LEGACY, legacyBody())).id);
        return ids;
    }

    it("walks every profile exactly once through the nextLinks of $top pages", async () => {
        const g = graph();
        const ids = await seed(g, 7);
        const pages = await g.pages(g.collection(LEGACY, "?$top=3"));
        expect(pages.map((p) => p.value.length)).to.deep.equal([3, 3, 1]);
        const seen = pages.flatMap((p) => p.value.map((e: Json) => e.id as string));
        expect(seen).to.have.members(ids);
        expect(new Set(seen).size).to.equal(seen.length);
        expect(pages[pages.length - 1]).to.not.have.property("@odata.nextLink");
    });

    it("pages by the server's page size when there is no $top", async () => {
        const g = graph();
        const ids = await seed(g, 6);
        const pages = await g.pages(g.collection(LEGACY));
        expect(pages.map((p) => p.value.length)).to.deep.equal([4, 2]);
        expect(pages.flatMap((p) => p.value.map((e: Json) => e.id))).to.have.members(ids);
    });

    it("keeps $filter and $select in the nextLink", async () => {
        const g = graph();
        for (let i = 0; i < 3; i++) await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated, { displayName: `Kiosk ${i}` }));
        await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.fullyManaged, { displayName: "Office" }));
        const pages = await g.pages(g.collection(DEVICE_OWNER, `?$top=1&$select=id,displayName,tokenValue&$filter=${q("startswith(displayName,'Kiosk')")}`));
        expect(pages).to.have.length(3);
        for (const p of pages) {
            expect(p.value[0].displayName).to.match(/^Kiosk/);
            expect(p.value[0].tokenValue).to.match(/^\d{20}$/);
            expect(p.value[0]).to.not.have.property("enrollmentMode");
        }
    });

    it("answers a negative or non-numeric $top with 400", async () => {
        const g = graph();
        expectGraphError(await g.get(g.collection(LEGACY, "?$top=-1")), 400, "BadRequest");
        expectGraphError(await g.get(g.collection(LEGACY, "?$top=many")), 400, "BadRequest");
    });
});

describe("emulator OData: bodies", () => {
    const ctx = useEmulator();
    const graph = (): Graph => new Graph(ctx.emulator);
    const readOnly = {
        id: "00000000-0000-0000-0000-00000000abcd",
        accountId: "someone-else",
        tokenValue: "12345678901234567890",
        enrolledDeviceCount: 42,
        createdDateTime: "2001-01-01T00:00:00Z",
    };

    it("ignores read-only properties in a create body", async () => {
        const created = await graph().create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated, readOnly));
        expect(created.id).to.not.equal(readOnly.id);
        expect(created.accountId).to.equal(ctx.emulator.tenantId);
        expect(created.tokenValue).to.not.equal(readOnly.tokenValue);
        expect(created.enrolledDeviceCount).to.equal(0);
        expect(created.createdDateTime).to.not.equal(readOnly.createdDateTime);
    });

    it("ignores read-only properties in an update body", async () => {
        const g = graph();
        const created = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated));
        const res = await g.patch(g.item(DEVICE_OWNER, created.id), { displayName: "Changed", ...readOnly });
        expect(res.status).to.equal(204);
        const read = await g.read(DEVICE_OWNER, created.id, `id,displayName,enrolledDeviceCount,${TOKEN_SELECT}`);
        expect(read.id).to.equal(created.id);
        expect(read.displayName).to.equal("Changed");
        expect(read.tokenValue).to.equal(created.tokenValue);
        expect(read.enrolledDeviceCount).to.equal(0);
    });

    it("accepts @odata.type naming the profile's own type", async () => {
        const g = graph();
        const created = await g.create(
            DEVICE_OWNER,
            deviceOwnerBody(MODES.dedicated, { "@odata.type": "#microsoft.graph.androidDeviceOwnerEnrollmentProfile" }),
        );
        expect(created.id).to.be.a("string");
        const wrong = await g.post(g.collection(LEGACY), legacyBody({ "@odata.type": "#microsoft.graph.androidDeviceOwnerEnrollmentProfile" }));
        expectGraphError(wrong, 400, "BadRequest");
    });

    it("answers a property the type does not have with 400", async () => {
        const g = graph();
        expectGraphError(await g.post(g.collection(DEVICE_OWNER), deviceOwnerBody(MODES.dedicated, { colour: "blue" })), 400, "BadRequest", "colour");
        expectGraphError(await g.post(g.collection(LEGACY), legacyBody({ enrollmentMode: MODES.dedicated })), 400, "BadRequest", "enrollmentMode");
    });

    it("accepts enums as integers and returns their names", async () => {
        const created = await graph().create(DEVICE_OWNER, { displayName: "Numeric enums", enrollmentMode: 3, enrollmentTokenType: 0, wifiSecurityType: 2 });
        expect(created.enrollmentMode).to.equal(MODES.aospUserless);
        expect(created.enrollmentTokenType).to.equal("default");
        expect(created.wifiSecurityType).to.equal("wep");
    });
});

describe("emulator OData: behaviour.readOnlyPropertiesInBody = reject", () => {
    const ctx = useEmulator({ behaviour: { readOnlyPropertiesInBody: "reject" } });

    it("refuses read-only properties in create and update bodies with 400", async () => {
        const g = new Graph(ctx.emulator);
        expectGraphError(await g.post(g.collection(DEVICE_OWNER), deviceOwnerBody(MODES.dedicated, { tokenValue: "1" })), 400, "BadRequest", "tokenValue");
        const created = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated));
        expectGraphError(await g.patch(g.item(DEVICE_OWNER, created.id), { id: created.id, displayName: "x" }), 400, "BadRequest", "'id'");
    });
});

describe("emulator OData: how wifiPassword reads back (behaviour.wifiPasswordOnRead)", () => {
    const ctx = useEmulator();
    afterEach(() => ctx.emulator.setBehaviour({ wifiPasswordOnRead: "null" }));
    const aospWithPassword = (g: Graph) =>
        g.create(DEVICE_OWNER, deviceOwnerBody(MODES.aospUserless, { wifiSsid: "Lab", wifiPassword: "pw-123", wifiSecurityType: "wpa" }));

    it("returns null by default, on create and on get", async () => {
        const g = new Graph(ctx.emulator);
        const created = await aospWithPassword(g);
        expect(created.wifiPassword).to.equal(null);
        expect((await g.read(DEVICE_OWNER, created.id)).wifiPassword).to.equal(null);
    });

    it('leaves the property out with "omit"', async () => {
        ctx.emulator.setBehaviour({ wifiPasswordOnRead: "omit" });
        const g = new Graph(ctx.emulator);
        const created = await aospWithPassword(g);
        expect(await g.read(DEVICE_OWNER, created.id)).to.not.have.property("wifiPassword");
    });

    it('returns the password with "plain"', async () => {
        ctx.emulator.setBehaviour({ wifiPasswordOnRead: "plain" });
        const g = new Graph(ctx.emulator);
        const created = await aospWithPassword(g);
        expect((await g.read(DEVICE_OWNER, created.id)).wifiPassword).to.equal("pw-123");
    });
});
