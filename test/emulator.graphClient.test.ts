import { GraphError, PageCollection, PageIterator, ResponseType } from "@microsoft/microsoft-graph-client";
import { expect } from "chai";
import { randomUUID } from "node:crypto";
import { useEmulator } from "./support/emulator";
import { DEVICE_OWNER, deviceOwnerBody, GUID, Json, LEGACY, legacyBody, MODES, NO_DATE, TOKEN_SELECT } from "./support/emulatorGraph";
import { EmulatorGraphClient, graphClientFor } from "./support/emulatorGraphClient";

const COLLECTION = `/deviceManagement/${DEVICE_OWNER}`;

/** Runs `action` and returns the GraphError it throws. */
async function graphErrorOf(action: () => Promise<unknown>): Promise<GraphError> {
    try {
        await action();
    } catch (err) {
        expect(err).to.be.instanceOf(GraphError);
        return err as GraphError;
    }
    throw new Error("expected the SDK to throw a GraphError");
}

describe("emulator with the Microsoft Graph JavaScript SDK", () => {
    const ctx = useEmulator({ behaviour: { maxPageSize: 50 } });
    let sdk: EmulatorGraphClient;
    before(() => {
        sdk = graphClientFor(ctx.emulator);
    });
    after(async () => {
        await sdk?.close();
    });

    it("creates a profile and gets the entity back", async () => {
        const created: Json = await sdk.client.api(COLLECTION).post(deviceOwnerBody(MODES.fullyManaged));
        expect(created.id).to.match(GUID);
        expect(created.tokenValue).to.match(/^[A-Z]{8}$/);
        expect(created.tokenExpirationDateTime).to.equal(NO_DATE);
    });

    it("walks a list of several pages with PageIterator over $top, seeing each profile once", async () => {
        const ids: string[] = [];
        for (let i = 0; i < 5; i++) ids.push((await sdk.client.api(`/deviceManagement/${LEGACY}`).post(legacyBody())).id);
        const first: PageCollection = await sdk.client.api(`/deviceManagement/${LEGACY}`).top(2).get();
        expect(first.value).to.have.length(2);
        expect(first["@odata.nextLink"]).to.be.a("string");
        const seen: string[] = [];
        const iterator = new PageIterator(sdk.client, first, (item: Json) => {
            seen.push(item.id);
            return true;
        });
        await iterator.iterate();
        expect(iterator.isComplete()).to.equal(true);
        expect(seen).to.have.length(ids.length);
        expect(seen).to.have.members(ids);
    });

    it("gets a profile with $select, token fields included", async () => {
        const created: Json = await sdk.client.api(COLLECTION).post(deviceOwnerBody(MODES.dedicated));
        const read: Json = await sdk.client.api(`${COLLECTION}/${created.id}`).select(TOKEN_SELECT.split(",")).get();
        expect(read.tokenValue).to.equal(created.tokenValue);
        expect(read.qrCodeImage.type).to.equal("image/png");
        const plain: Json = await sdk.client.api(`${COLLECTION}/${created.id}`).get();
        expect(plain.tokenValue).to.equal(null);
    });

    it("patches a profile (204 with no body) and reads the change", async () => {
        const created: Json = await sdk.client.api(COLLECTION).post(deviceOwnerBody(MODES.dedicated));
        const answer = await sdk.client.api(`${COLLECTION}/${created.id}`).patch({ displayName: "Patched by the SDK" });
        expect(answer === undefined || answer === null || answer === "").to.equal(true);
        expect((await sdk.client.api(`${COLLECTION}/${created.id}`).get()).displayName).to.equal("Patched by the SDK");
    });

    it("creates and revokes tokens through the actions", async () => {
        const created: Json = await sdk.client.api(COLLECTION).post(deviceOwnerBody(MODES.aospUserless));
        await sdk.client.api(`${COLLECTION}/${created.id}/createToken`).post({ tokenValidityInSeconds: 3 * 86_400 });
        const renewed: Json = await sdk.client.api(`${COLLECTION}/${created.id}`).select(["tokenValue", "tokenExpirationDateTime"]).get();
        expect(renewed.tokenValue)
            .to.match(/^\d{20}$/)
            .and.not.equal(created.tokenValue);
        await sdk.client.api(`${COLLECTION}/${created.id}/microsoft.graph.revokeToken`).post({});
        const revoked: Json = await sdk.client.api(`${COLLECTION}/${created.id}`).select(["tokenExpirationDateTime"]).get();
        expect(Date.parse(revoked.tokenExpirationDateTime)).to.be.at.most(Date.now());
    });

    it("deletes a profile, after which the SDK throws GraphError 404 ResourceNotFound with the request id", async () => {
        const created: Json = await sdk.client.api(COLLECTION).post(deviceOwnerBody(MODES.dedicated));
        await sdk.client.api(`${COLLECTION}/${created.id}`).delete();
        const err = await graphErrorOf(() => sdk.client.api(`${COLLECTION}/${created.id}`).get());
        expect(err.statusCode).to.equal(404);
        expect(err.code).to.equal("ResourceNotFound");
        expect(err.requestId).to.match(GUID);
        const body = JSON.parse(String(err.body));
        expect(body.innerError["request-id"]).to.equal(err.requestId);
        expect(JSON.parse(body.message)._version).to.equal(3);
    });

    it("surfaces a validation error as GraphError 400 BadRequest", async () => {
        const err = await graphErrorOf(() => sdk.client.api(COLLECTION).post({ displayName: "x", enrollmentMode: "notAMode" }));
        expect(err.statusCode).to.equal(400);
        expect(err.code).to.equal("BadRequest");
        expect(err.message).to.contain("notAMode");
    });

    it("retries a 503 that carries Retry-After and then succeeds, sending a client-request-id", async () => {
        ctx.emulator.setFaults({ rules: [{ method: "GET", status: 503, retryAfter: 1, times: 1 }] });
        const list: Json = await sdk.client.api(COLLECTION).get();
        expect(list.value).to.be.an("array");
        const gets = ctx.emulator.requests().filter((r) => r.method === "GET");
        expect(gets.map((r) => r.status)).to.deep.equal([503, 200]);
        expect(gets[0].clientRequestId).to.match(GUID);
    });

    it("sends the token the auth provider returns: a token the emulator refuses gives GraphError 401", async () => {
        const refused = graphClientFor(ctx.emulator, () => ctx.emulator.issueToken({ lifetimeSeconds: -60 }));
        try {
            const err = await graphErrorOf(() => refused.client.api(COLLECTION).get());
            expect(err.statusCode).to.equal(401);
            expect(err.code).to.equal("InvalidAuthenticationToken");
        } finally {
            await refused.close();
        }
    });

    it("echoes the SDK's client-request-id header", async () => {
        const id = randomUUID();
        const res = await sdk.client.api(COLLECTION).header("client-request-id", id).responseType(ResponseType.RAW).get();
        expect((res as Response).headers.get("client-request-id")).to.equal(id);
    });
});
