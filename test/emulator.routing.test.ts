import { expect } from "chai";
import { useEmulator } from "./support/emulator";
import { bodyFor, COLLECTIONS, expectGraphError, Graph, GUID, intuneMessage, LEGACY } from "./support/emulatorGraph";

describe("emulator routing: the operations of spec §2 on both collections", () => {
    const ctx = useEmulator();
    const graph = (): Graph => new Graph(ctx.emulator);

    for (const collection of COLLECTIONS) {
        describe(collection, () => {
            it("lists with 200 and a value array holding created profiles", async () => {
                const g = graph();
                const created = await g.create(collection, bodyFor(collection));
                const res = await g.get(g.collection(collection));
                expect(res.status).to.equal(200);
                expect(res.json.value).to.be.an("array");
                expect(res.json.value.map((p: { id: string }) => p.id)).to.include(created.id);
            });

            it("creates with 201 and the entity, then gets it by id with 200", async () => {
                const g = graph();
                const res = await g.post(g.collection(collection), bodyFor(collection));
                expect(res.status).to.equal(201);
                expect(res.json.id).to.match(GUID);
                const got = await g.get(g.item(collection, res.json.id));
                expect(got.status).to.equal(200);
                expect(got.json.displayName).to.equal(res.json.displayName);
            });

            it("updates with 204 and no body, and the change is read back", async () => {
                const g = graph();
                const created = await g.create(collection, bodyFor(collection));
                const res = await g.patch(g.item(collection, created.id), { displayName: "Renamed", description: "changed" });
                expect(res.status).to.equal(204);
                expect(res.text).to.equal("");
                const got = await g.read(collection, created.id);
                expect(got.displayName).to.equal("Renamed");
                expect(got.description).to.equal("changed");
            });

            it("deletes with 204, after which the id answers 404", async () => {
                const g = graph();
                const created = await g.create(collection, bodyFor(collection));
                expect((await g.delete(g.item(collection, created.id))).status).to.equal(204);
                expectGraphError(await g.get(g.item(collection, created.id)), 404, "ResourceNotFound");
                expectGraphError(await g.delete(g.item(collection, created.id)), 404, "ResourceNotFound");
            });

            for (const action of ["createToken", "microsoft.graph.createToken"]) {
                it(`answers POST /{id}/${action} with 204 and no body`, async () => {
                    const g = graph();
                    const created = await g.create(collection, bodyFor(collection));
                    const res = await g.post(g.item(collection, created.id, `/${action}`), { tokenValidityInSeconds: 3600 });
                    expect(res.status, res.text).to.equal(204);
                    expect(res.text).to.equal("");
                });
            }

            for (const action of ["revokeToken", "microsoft.graph.revokeToken"]) {
                it(`answers POST /{id}/${action} with 204 and no body`, async () => {
                    const g = graph();
                    const created = await g.create(collection, bodyFor(collection));
                    const res = await g.post(g.item(collection, created.id, `/${action}`));
                    expect(res.status, res.text).to.equal(204);
                    expect(res.text).to.equal("");
                });
            }

            it("answers an unknown id with 404 and the Intune nested message", async () => {
                const g = graph();
                const res = await g.get(g.item(collection, "3f2504e0-4f89-41d3-9a0c-0305e82c3301"));
                expectGraphError(res, 404, "ResourceNotFound");
                expect(intuneMessage(res).Message).to.contain("Resource not found");
            });

            it("addresses a profile with the OData key syntax collection('id')", async () => {
                const g = graph();
                const created = await g.create(collection, bodyFor(collection));
                const got = await g.get(`/deviceManagement/${collection}('${created.id}')`);
                expect(got.status).to.equal(200);
                expect(got.json.id).to.equal(created.id);
                const token = await g.post(`/deviceManagement/${collection}('${created.id}')/createToken`, { tokenValidityInSeconds: 3600 });
                expect(token.status).to.equal(204);
            });

            it("has no /assignments segment: 400 Resource not found for the segment 'assignments'.", async () => {
                const g = graph();
                const created = await g.create(collection, bodyFor(collection));
                const res = await g.get(g.item(collection, created.id, "/assignments"));
                expectGraphError(res, 400, "BadRequest", "Resource not found for the segment 'assignments'.");
            });
        });
    }

    it("answers an unknown deviceManagement segment with 400 naming the segment", async () => {
        const g = graph();
        expectGraphError(await g.get("/deviceManagement/nope"), 400, "BadRequest", "Resource not found for the segment 'nope'.");
    });

    it("answers the collections under v1.0 with 400: both types exist only in beta", async () => {
        const g = graph();
        const res = await g.get(`${ctx.emulator.graphUrl}/v1.0/deviceManagement/androidDeviceOwnerEnrollmentProfiles`);
        expectGraphError(res, 400, "BadRequest", "Resource not found for the segment 'androidDeviceOwnerEnrollmentProfiles'.");
    });

    it("keeps the two collections apart: a legacy id is not found among device-owner profiles", async () => {
        const g = graph();
        const legacy = await g.create(LEGACY, bodyFor(LEGACY));
        expectGraphError(await g.get(g.item("androidDeviceOwnerEnrollmentProfiles", legacy.id)), 404, "ResourceNotFound");
    });
});

describe("emulator routing with behaviour.patchReturnsEntity", () => {
    const ctx = useEmulator({ behaviour: { patchReturnsEntity: true } });

    for (const collection of COLLECTIONS) {
        it(`answers PATCH on ${collection} with 200 and the updated entity`, async () => {
            const g = new Graph(ctx.emulator);
            const created = await g.create(collection, bodyFor(collection));
            const res = await g.patch(g.item(collection, created.id), { displayName: "Patched" });
            expect(res.status).to.equal(200);
            expect(res.json.id).to.equal(created.id);
            expect(res.json.displayName).to.equal("Patched");
            expect(res.json["@odata.context"]).to.contain(`$metadata#deviceManagement/${collection}`);
        });
    }
});
