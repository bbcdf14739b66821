import { expect } from "chai";
import { CollectionName } from "../emulator";
import { useEmulator } from "./support/emulator";
import {
    brief,
    DAY_SECONDS,
    DEVICE_OWNER,
    deviceOwnerBody,
    expectGraphError,
    Graph,
    GRAPH_TIMESTAMP,
    GUID,
    Json,
    LEGACY,
    legacyBody,
    LEGACY_TOKEN_SELECT,
    MODES,
    NEVER_EXPIRES,
    NINETY_DAYS_SECONDS,
    NO_DATE,
    provisioningDoc,
    TOKEN_SELECT,
} from "./support/emulatorGraph";

const CLOUDDPC_COMPONENT = "com.google.android.apps.work.clouddpc/.receivers.CloudDeviceAdminReceiver";
const CLOUDDPC_TOKEN_EXTRA = "com.google.android.apps.work.clouddpc.EXTRA_ENROLLMENT_TOKEN";
const EXTRAS_BUNDLE = "android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE";
const SIXTY_FIVE_YEARS_SECONDS = 65 * 365 * DAY_SECONDS;

const expiryMs = (entity: Json): number => Date.parse(entity.tokenExpirationDateTime);

describe("emulator: server-set fields of a new profile", () => {
    const ctx = useEmulator();
    const graph = (): Graph => new Graph(ctx.emulator);

    it("sets a GUID id, accountId = tenant, 7-digit timestamps and zero counters", async () => {
        const created = await graph().create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated));
        expect(created.id).to.match(GUID);
        expect(created.accountId).to.equal(ctx.emulator.tenantId);
        expect(created.createdDateTime).to.match(GRAPH_TIMESTAMP);
        expect(created.lastModifiedDateTime).to.match(GRAPH_TIMESTAMP);
        expect(created.tokenCreationDateTime).to.match(GRAPH_TIMESTAMP);
        expect(created.enrolledDeviceCount).to.equal(0);
        expect(created.enrollmentTokenUsageCount).to.equal(0);
    });

    it("gives each profile its own id", async () => {
        const g = graph();
        const a = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated));
        const b = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated));
        expect(a.id).to.not.equal(b.id);
    });

    for (const mode of [MODES.dedicated, MODES.aospUserless, MODES.aospUserAssociated]) {
        it(`issues a 20-digit token that expires on create for ${mode}`, async () => {
            const created = await graph().create(DEVICE_OWNER, deviceOwnerBody(mode));
            expect(created.tokenValue).to.match(/^\d{20}$/);
            expect(expiryMs(created)).to.be.greaterThan(Date.now());
            expect(created.tokenExpirationDateTime).to.not.be.oneOf([NEVER_EXPIRES, NO_DATE]);
        });
    }

    for (const mode of [MODES.fullyManaged, MODES.workProfile]) {
        it(`issues an 8-letter uppercase token that never expires on create for ${mode}`, async () => {
            const created = await graph().create(DEVICE_OWNER, deviceOwnerBody(mode));
            expect(created.tokenValue).to.match(/^[A-Z]{8}$/);
            expect(created.tokenExpirationDateTime).to.equal(NO_DATE);
        });
    }

    const NEVER_READINGS = [
        ["minDate", NO_DATE],
        ["maxDate", NEVER_EXPIRES],
        ["null", null],
        ["absent", undefined],
    ] as const;
    for (const [reading, shown] of NEVER_READINGS) {
        it(`reports a never-expiring token's expiry as ${String(shown)} on create, get and list with neverExpiringTokenExpiry "${reading}"`, async () => {
            ctx.emulator.setBehaviour({ neverExpiringTokenExpiry: reading, listTokenFields: "whenSelected" });
            const g = graph();
            const created = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.fullyManaged));
            const read = await g.read(DEVICE_OWNER, created.id, TOKEN_SELECT);
            const listed = (await g.get(g.collection(DEVICE_OWNER, `?$select=id,${TOKEN_SELECT}`))).json.value[0] as Json;
            for (const [where, entity] of [
                ["create", created],
                ["get", read],
                ["list", listed],
            ] as const) {
                expect(entity.tokenValue, where).to.match(/^[A-Z]{8}$/);
                if (shown === undefined) expect(entity, where).to.not.have.property("tokenExpirationDateTime");
                else expect(entity.tokenExpirationDateTime, where).to.equal(shown);
            }
        });
    }

    it("gives a fully-managed deviceStaging token an expiry (only default tokens never expire)", async () => {
        const created = await graph().create(DEVICE_OWNER, deviceOwnerBody(MODES.fullyManaged, { enrollmentTokenType: "deviceStaging" }));
        expect(created.tokenValue).to.match(/^[A-Z]{8}$/);
        expect(created.tokenExpirationDateTime).to.not.be.oneOf([NEVER_EXPIRES, NO_DATE]);
    });

    it("creates a legacy profile without a token until createToken", async () => {
        const g = graph();
        const created = await g.create(LEGACY, legacyBody());
        expect(created.accountId).to.equal(ctx.emulator.tenantId);
        expect(created.tokenValue).to.equal(null);
        expect(created.qrCodeContent).to.equal(null);
        expect(created.tokenExpirationDateTime).to.equal(NO_DATE);
        const read = await g.read(LEGACY, created.id, LEGACY_TOKEN_SELECT);
        expect(read.tokenValue).to.equal(null);
        expect(read.tokenExpirationDateTime).to.equal(NO_DATE);
    });

    it("puts the Android provisioning JSON with the clouddpc component and the token in GMS qrCodeContent", async () => {
        const created = await graph().create(DEVICE_OWNER, deviceOwnerBody(MODES.fullyManaged));
        expect(created.qrCodeContent.trim().startsWith("{")).to.equal(true);
        const doc = JSON.parse(created.qrCodeContent);
        expect(doc["android.app.extra.PROVISIONING_DEVICE_ADMIN_COMPONENT_NAME"]).to.equal(CLOUDDPC_COMPONENT);
        expect(doc["android.app.extra.PROVISIONING_DEVICE_ADMIN_PACKAGE_DOWNLOAD_LOCATION"]).to.equal(
            "https://play.google.com/managed/downloadManagingApp?identifier=setup",
        );
        expect(doc["android.app.extra.PROVISIONING_DEVICE_ADMIN_SIGNATURE_CHECKSUM"]).to.be.a("string").and.not.equal("");
        expect(doc[EXTRAS_BUNDLE][CLOUDDPC_TOKEN_EXTRA]).to.equal(created.tokenValue);
    });

    it("puts base64 of a JSON with the Wi-Fi SSID, password and security type in AOSP qrCodeContent", async () => {
        const created = await graph().create(
            DEVICE_OWNER,
            deviceOwnerBody(MODES.aospUserless, {
                wifiSsid: "Warehouse-WiFi",
                wifiPassword: "s3cret-pass",
                wifiSecurityType: "wpa",
            }),
        );
        expect(created.qrCodeContent).to.match(/^[A-Za-z0-9+/]+=*$/);
        const doc = JSON.parse(Buffer.from(created.qrCodeContent, "base64").toString("utf8"));
        expect(doc["android.app.extra.PROVISIONING_WIFI_SSID"]).to.equal("Warehouse-WiFi");
        expect(doc["android.app.extra.PROVISIONING_WIFI_PASSWORD"]).to.equal("s3cret-pass");
        expect(doc["android.app.extra.PROVISIONING_WIFI_SECURITY_TYPE"]).to.equal("WPA");
        expect(JSON.stringify(doc[EXTRAS_BUNDLE])).to.contain(created.tokenValue);
    });

    it("leaves Wi-Fi out of the AOSP QR code when configureWifi is false", async () => {
        const created = await graph().create(
            DEVICE_OWNER,
            deviceOwnerBody(MODES.aospUserless, {
                configureWifi: false,
                wifiSsid: "Ignored",
                wifiPassword: "ignored",
            }),
        );
        const doc = provisioningDoc(created.qrCodeContent);
        expect(doc).to.not.have.property("android.app.extra.PROVISIONING_WIFI_SSID");
        expect(doc).to.not.have.property("android.app.extra.PROVISIONING_WIFI_PASSWORD");
    });
});

describe("emulator: the first token's expiry sent on create (behaviour.createHonoursTokenExpiration)", () => {
    const ctx = useEmulator();
    afterEach(() => ctx.emulator.setBehaviour({ createHonoursTokenExpiration: true }));
    const inDays = (days: number): string => new Date(Date.now() + days * DAY_SECONDS * 1000).toISOString();

    it("uses tokenExpirationDateTime from the create body as the first token's expiry", async () => {
        const asked = inDays(10);
        const created = await new Graph(ctx.emulator).create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated, { tokenExpirationDateTime: asked }));
        expect(expiryMs(created)).to.be.closeTo(Date.parse(asked), 2000);
    });

    it("refuses an expiry beyond the mode's limit with 400", async () => {
        const g = new Graph(ctx.emulator);
        const res = await g.post(g.collection(DEVICE_OWNER), deviceOwnerBody(MODES.aospUserless, { tokenExpirationDateTime: inDays(120) }));
        expectGraphError(res, 400, "BadRequest");
    });

    it("ignores it when the switch is off", async () => {
        ctx.emulator.setBehaviour({ createHonoursTokenExpiration: false });
        const created = await new Graph(ctx.emulator).create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated, { tokenExpirationDateTime: inDays(10) }));
        expect(expiryMs(created)).to.be.closeTo(Date.now() + NINETY_DAYS_SECONDS * 1000, 60_000);
    });
});

describe("emulator: behaviour.gmsQrContentBase64", () => {
    const ctx = useEmulator({ behaviour: { gmsQrContentBase64: true } });

    it("serves GMS qrCodeContent as base64 of the provisioning JSON", async () => {
        const created = await new Graph(ctx.emulator).create(DEVICE_OWNER, deviceOwnerBody(MODES.workProfile));
        expect(created.qrCodeContent.trim().startsWith("{")).to.equal(false);
        const doc = JSON.parse(Buffer.from(created.qrCodeContent, "base64").toString("utf8"));
        expect(doc["android.app.extra.PROVISIONING_DEVICE_ADMIN_COMPONENT_NAME"]).to.equal(CLOUDDPC_COMPONENT);
        expect(doc[EXTRAS_BUNDLE][CLOUDDPC_TOKEN_EXTRA]).to.equal(created.tokenValue);
    });
});

describe("emulator: createToken and revokeToken", () => {
    const ctx = useEmulator();
    const graph = (): Graph => new Graph(ctx.emulator);

    /** createToken on a profile, then the re-read token fields (createToken answers 204 with no body). */
    async function createToken(g: Graph, collection: CollectionName, id: string, validity?: number): Promise<Json> {
        const res = await g.post(g.item(collection, id, "/createToken"), validity === undefined ? {} : { tokenValidityInSeconds: validity });
        expect(res.status, brief(res)).to.equal(204);
        return g.read(collection, id, collection === LEGACY ? LEGACY_TOKEN_SELECT : TOKEN_SELECT);
    }

    it("gives a legacy profile an 8-letter token that expires when asked, with the token in its QR content", async () => {
        const g = graph();
        const created = await g.create(LEGACY, legacyBody());
        const before = Date.now();
        const read = await createToken(g, LEGACY, created.id, DAY_SECONDS);
        expect(read.tokenValue).to.match(/^[A-Z]{8}$/);
        expect(expiryMs(read)).to.be.within(before + DAY_SECONDS * 1000 - 5000, Date.now() + DAY_SECONDS * 1000 + 5000);
        expect(provisioningDoc(read.qrCodeContent)[EXTRAS_BUNDLE][CLOUDDPC_TOKEN_EXTRA]).to.equal(read.tokenValue);
    });

    it("honours tokenValidityInSeconds and replaces the token value", async () => {
        const g = graph();
        const created = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.aospUserless));
        const read = await createToken(g, DEVICE_OWNER, created.id, 7 * DAY_SECONDS);
        expect(read.tokenValue)
            .to.match(/^\d{20}$/)
            .and.not.equal(created.tokenValue);
        expect(expiryMs(read) - Date.parse(read.tokenCreationDateTime)).to.be.closeTo(7 * DAY_SECONDS * 1000, 1000);
        expect(read.qrCodeContent).to.not.equal(created.qrCodeContent);
    });

    it("accepts exactly 90 days for AOSP and refuses one second more with 400", async () => {
        const g = graph();
        const created = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.aospUserAssociated));
        await createToken(g, DEVICE_OWNER, created.id, NINETY_DAYS_SECONDS);
        const over = await g.post(g.item(DEVICE_OWNER, created.id, "/createToken"), { tokenValidityInSeconds: NINETY_DAYS_SECONDS + 1 });
        expectGraphError(over, 400, "BadRequest", "tokenValidityInSeconds");
    });

    it("refuses more than 90 days on a legacy profile with 400", async () => {
        const g = graph();
        const created = await g.create(LEGACY, legacyBody());
        const over = await g.post(g.item(LEGACY, created.id, "/createToken"), { tokenValidityInSeconds: NINETY_DAYS_SECONDS + 1 });
        expectGraphError(over, 400, "BadRequest");
        expect((await g.read(LEGACY, created.id, LEGACY_TOKEN_SELECT)).tokenValue).to.equal(null);
    });

    it("lets a dedicated token live 65 years but not longer", async () => {
        const g = graph();
        const created = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated));
        const read = await createToken(g, DEVICE_OWNER, created.id, SIXTY_FIVE_YEARS_SECONDS);
        expect(new Date(expiryMs(read)).getUTCFullYear()).to.be.greaterThan(new Date().getUTCFullYear() + 64);
        const over = await g.post(g.item(DEVICE_OWNER, created.id, "/createToken"), { tokenValidityInSeconds: SIXTY_FIVE_YEARS_SECONDS + 1 });
        expectGraphError(over, 400, "BadRequest");
    });

    it("keeps a default fully-managed token non-expiring whatever validity createToken asks", async () => {
        const g = graph();
        const created = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.fullyManaged));
        const read = await createToken(g, DEVICE_OWNER, created.id, 3600);
        expect(read.tokenValue)
            .to.match(/^[A-Z]{8}$/)
            .and.not.equal(created.tokenValue);
        expect(read.tokenExpirationDateTime).to.equal(NO_DATE);
    });

    it("refuses createToken without tokenValidityInSeconds, as the metadata makes it required, unless told otherwise", async () => {
        const g = graph();
        const created = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.fullyManaged));
        expectGraphError(await g.post(g.item(DEVICE_OWNER, created.id, "/createToken"), {}), 400, "BadRequest", "tokenValidityInSeconds");
        ctx.emulator.setBehaviour({ createTokenRequiresValidity: false });
        expect((await g.post(g.item(DEVICE_OWNER, created.id, "/createToken"), {})).status).to.equal(204);
    });

    it("refuses a non-integer tokenValidityInSeconds and unknown parameters with 400", async () => {
        const g = graph();
        const created = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated));
        expectGraphError(await g.post(g.item(DEVICE_OWNER, created.id, "/createToken"), { tokenValidityInSeconds: "soon" }), 400, "BadRequest");
        expectGraphError(await g.post(g.item(DEVICE_OWNER, created.id, "/createToken"), { validity: 60 }), 400, "BadRequest");
    });

    it("revokeToken expires the token at once and keeps the value", async () => {
        const g = graph();
        const created = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated));
        expect((await g.post(g.item(DEVICE_OWNER, created.id, "/revokeToken"))).status).to.equal(204);
        const read = await g.read(DEVICE_OWNER, created.id, TOKEN_SELECT);
        expect(expiryMs(read)).to.be.at.most(Date.now());
        expect(read.tokenValue).to.equal(created.tokenValue);
    });

    it("refuses revokeToken on a never-expiring fully-managed token by default, and expires it when allowed", async () => {
        const g = graph();
        const created = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.fullyManaged));
        expectGraphError(await g.post(g.item(DEVICE_OWNER, created.id, "/revokeToken")), 400, "BadRequest");
        expect((await g.read(DEVICE_OWNER, created.id, TOKEN_SELECT)).tokenValue).to.equal(created.tokenValue);
        ctx.emulator.setBehaviour({ revokeRefusalStatus: 501 });
        expectGraphError(await g.post(g.item(DEVICE_OWNER, created.id, "/revokeToken")), 501, "NotImplemented");
        ctx.emulator.setBehaviour({ revokeNeverExpiringToken: "allow" });
        expect((await g.post(g.item(DEVICE_OWNER, created.id, "/revokeToken"))).status).to.equal(204);
        const read = await g.read(DEVICE_OWNER, created.id, TOKEN_SELECT);
        expect(expiryMs(read)).to.be.at.most(Date.now());
    });

    it("a new token after a revoke is valid again", async () => {
        const g = graph();
        const created = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.aospUserless));
        await g.post(g.item(DEVICE_OWNER, created.id, "/revokeToken"));
        const read = await createToken(g, DEVICE_OWNER, created.id, DAY_SECONDS);
        expect(expiryMs(read)).to.be.greaterThan(Date.now());
        expect(read.tokenValue).to.not.equal(created.tokenValue);
    });
});

describe("emulator: behaviour.revokeClearsToken", () => {
    const ctx = useEmulator({ behaviour: { revokeClearsToken: true } });

    it("revokeToken clears tokenValue and the QR fields as well as expiring the token", async () => {
        const g = new Graph(ctx.emulator);
        const created = await g.create(DEVICE_OWNER, deviceOwnerBody(MODES.dedicated));
        expect((await g.post(g.item(DEVICE_OWNER, created.id, "/revokeToken"))).status).to.equal(204);
        const read = await g.read(DEVICE_OWNER, created.id, TOKEN_SELECT);
        expect(read.tokenValue).to.equal(null);
        expect(read.qrCodeContent).to.equal(null);
        expect(read.qrCodeImage).to.equal(null);
        expect(expiryMs(read)).to.be.at.most(Date.now());
    });
});
