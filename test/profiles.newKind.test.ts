import { expect } from "chai";
import * as t from "io-ts";
import * as host from "../provider/dynamic/host";
import { registerKind, unregisterKind } from "../provider/profiles/kinds";
import { COMMON_PROPERTIES } from "../provider/profiles/kinds/common";
import { ProfileKind } from "../provider/profiles/kind";
import { deriveProperties, property } from "../provider/profiles/properties";
import { ArgsOf } from "../provider/dynamic/args";
import { FOR_WORK, PROVIDER_TEXT, useProfileEmulator } from "./support/profiles";

/**
 * A third profile type is one table and a few lines of rules: this throwaway type (a "lobby" profile kept in the
 * legacy collection, with one property of its own) goes through check, create, read, update and delete on the
 * shared lifecycle, with nothing written for it anywhere else.
 */

const LOBBY_PROPERTIES = {
    displayName: COMMON_PROPERTIES.displayName,
    /** Free text shown in the portal, at most 20 characters here. */
    description: property({
        input: t.refinement(t.string, (s) => s.length <= 20, "at most 20 characters"),
        entity: t.string,
        writable: true,
        cleared: { value: null },
    }),
    tokenValidityDays: COMMON_PROPERTIES.tokenValidityDays,
    tokenValue: COMMON_PROPERTIES.tokenValue,
    tokenExpirationDateTime: COMMON_PROPERTIES.tokenExpirationDateTime,
    qrCodeContent: COMMON_PROPERTIES.qrCodeContent,
    qrCodeImage: COMMON_PROPERTIES.qrCodeImage,
    includeQrCodeImage: COMMON_PROPERTIES.includeQrCodeImage,
};

const lobbyKind: ProfileKind = {
    name: "throwawayLobbyProfile",
    typeName: "ThrowawayLobbyProfile",
    label: "lobby profile",
    description: "A profile for the lobby's sign-in tablets.",
    collectionPath: "/deviceManagement/androidForWorkEnrollmentProfiles",
    odataType: "#microsoft.graph.androidForWorkEnrollmentProfile",
    ...deriveProperties(LOBBY_PROPERTIES),
    tokenRules: () => ({ issuedOnCreate: false, expires: true, maxValidityDays: 30, defaultValidityDays: 30, scope: "for lobby profiles" }),
    crossChecks: () => [],
    manageable: () => true,
};

// The resource arguments come from the table too: this compiles only with the table's names and types.
const args: ArgsOf<typeof LOBBY_PROPERTIES> = { displayName: "Lobby", description: "front desk", tokenValidityDays: 7, includeQrCodeImage: true };

describe("profiles: a third profile type is one table", () => {
    const ctx = useProfileEmulator();
    // Registered only while these tests run: the registry is the process's, and other suites list every kind.
    before(() => registerKind(lobbyKind));
    after(() => unregisterKind(lobbyKind.name));

    it("derives its codecs, lists and select from the table", () => {
        expect(lobbyKind.writable).to.deep.equal(["displayName", "description"]);
        expect(lobbyKind.secrets).to.deep.equal(["tokenValue", "qrCodeContent", "qrCodeImage"]);
        expect(lobbyKind.select).to.deep.equal(["id", "displayName", "description", "tokenValue", "tokenExpirationDateTime", "qrCodeContent", "qrCodeImage"]);
        expect(lobbyKind.mimeOutputs).to.deep.equal(["qrCodeImage"]);
        expect(lobbyKind.outputWhen).to.deep.equal({ qrCodeImage: "includeQrCodeImage" });
    });

    it("refuses a table with an opt-in output but not its switch", () => {
        const { includeQrCodeImage, ...withoutSwitch } = LOBBY_PROPERTIES;
        void includeQrCodeImage;
        expect(() => deriveProperties(withoutSwitch)).to.throw(
            /qrCodeImage is output only when includeQrCodeImage is true, but the table has no input includeQrCodeImage/,
        );
    });

    it("is checked, created, read, updated and deleted by the shared lifecycle", async () => {
        const bad = await host.check(lobbyKind.name, {}, { displayName: "Lobby", description: "x".repeat(21), colour: "red", __provider: PROVIDER_TEXT });
        expect(bad.failures.map((f) => f.property).sort()).to.deep.equal(["colour", "description"]);

        const { inputs } = await host.check(lobbyKind.name, {}, { ...args, __provider: PROVIDER_TEXT });
        const created = await host.create(lobbyKind.name, inputs);
        expect(created.outs.tokenValue).to.be.a("string");
        expect(created.outs.qrCodeImageType).to.equal("image/png");
        expect(ctx.emulator.profiles(FOR_WORK).map((p) => p.displayName)).to.deep.equal(["Lobby"]);

        const read = await host.read(lobbyKind.name, created.id, created.outs);
        expect(read.id).to.equal(created.id);
        const news = (await host.check(lobbyKind.name, inputs, { ...args, description: "reception", __provider: PROVIDER_TEXT })).inputs;
        expect((await host.diff(lobbyKind.name, created.id, read.props, news)).changes).to.equal(true);
        const updated = await host.update(lobbyKind.name, created.id, read.props, news);
        expect(updated.outs.description).to.equal("reception");
        await host.remove(lobbyKind.name, created.id, updated.outs);
        expect(ctx.emulator.profiles(FOR_WORK)).to.deep.equal([]);
    });
});
