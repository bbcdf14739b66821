import { expect } from "chai";
import requireFromString from "require-from-string";
import { providerText as textOf } from "../provider/dynamic/providerText";
import {
    asDynamic,
    configureFor,
    DEVICE_OWNER,
    DynamicProvider,
    expectExpiryInDays,
    expectNoSecrets,
    expectPlainJson,
    FOR_WORK,
    Props,
    rejectionOf,
    secretsOf,
    stackConfig,
    useProfileEmulator,
} from "./support/profiles";

/** What the profile resources put into `__provider` (test/host.typeTokens.test.ts holds the registration to it). */
async function serialize(kindName: string): Promise<string> {
    return textOf(kindName);
}

/** What the dynamic-provider host does with that text: load it and call the handler. */
function load(text: string): DynamicProvider {
    return asDynamic((requireFromString(text) as { handler: () => unknown }).handler());
}

const TYPES = [
    {
        name: "androidDeviceOwnerEnrollmentProfile",
        collection: DEVICE_OWNER,
        program: {
            displayName: "Headsets",
            enrollmentMode: "corporateOwnedAOSPUserlessDevice",
            tokenValidityDays: 60,
            renewTokenWithinDays: 10,
            wifiSsid: "corp",
            wifiSecurityType: "wpa",
            wifiPassword: "Corr3ct-Horse-Battery-Staple",
            revokeTokenOnDelete: true,
        } as Props,
        change: { description: "round trip", wifiSsid: "corp-5g" } as Props,
    },
    {
        name: "androidForWorkEnrollmentProfile",
        collection: FOR_WORK,
        program: { displayName: "Legacy", tokenValidityDays: 30, revokeTokenOnDelete: true } as Props,
        change: { description: "round trip" } as Props,
    },
] as const;

describe("profiles: the serialized provider (__provider), loaded as the dynamic-provider host does", () => {
    const ctx = useProfileEmulator();

    it("fails to load with the types this version knows when its text names another", async () => {
        expect(() => load(textOf("androidKioskEnrollmentProfile"))).to.throw(
            /unknown resource type "androidKioskEnrollmentProfile".*androidDeviceOwnerEnrollmentProfile/,
        );
    });

    for (const type of TYPES) {
        describe(type.name, () => {
            it("is small, holds no credential or setting, and is the same every time", async () => {
                // Configured with the secret first, as the engine's Configure does before any resource is serialized.
                await configureFor(ctx.emulator);
                const text = await serialize(type.name);
                const bytes = Buffer.byteLength(text, "utf8");
                // Stored twice per resource (inputs and outputs) and rewritten with the whole state after every step.
                expect(bytes, `serialized size of ${type.name}`).to.be.below(160);
                const cfg = stackConfig(ctx.emulator);
                for (const key of ["intune:clientSecret", "intune:tenantId", "intune:clientId", "intune:graphEndpoint", "intune:caCertificatePath"]) {
                    expect(text.includes(cfg[key]), `${key} in the serialized provider`).to.equal(false);
                }
                expect(text).to.not.match(/BEGIN CERTIFICATE|Bearer|emulator-client-secret/);
                expect(text).to.contain(`"pulumi-intune-enrollment/host"`);
                expect(await serialize(type.name)).to.equal(text);
            });

            it("round trips: check, create, read, diff, update and delete through the loaded text under plain Node", async () => {
                const provider = load(await serialize(type.name));
                const cfg = stackConfig(ctx.emulator);
                await provider.configure({ config: { get: (k: string) => cfg[k] } });
                const providerText = await serialize(type.name);

                const checked = await provider.check({}, { ...type.program, __provider: providerText });
                expect(checked.failures ?? []).to.deep.equal([]);
                const inputs = checked.inputs!;
                expect(inputs.__provider).to.equal(providerText);

                const { id, outs } = await provider.create(inputs);
                expectPlainJson(outs!);
                expectExpiryInDays(outs!, type.program.tokenValidityDays);
                expect(ctx.emulator.profiles(type.collection).map((p) => p.id)).to.deep.equal([id]);

                const read = await provider.read(id, { ...outs, __provider: providerText });
                expect(read.id).to.equal(id);
                expect(read.props).to.deep.equal(outs);
                expect((await provider.diff(id, read.props!, inputs)).changes).to.equal(false);

                const news = (await provider.check(inputs, { ...type.program, ...type.change, __provider: providerText })).inputs!;
                expect(await provider.diff(id, read.props!, news)).to.deep.include({ changes: true, replaces: [] });
                const { outs: updated } = await provider.update(id, read.props!, news);
                expect(updated).to.deep.include(type.change);
                expect(updated!.tokenValue).to.equal(outs!.tokenValue);
                expect(ctx.emulator.profiles(type.collection)[0]).to.deep.include(type.change);

                ctx.emulator.clearRequests();
                await provider.delete(id, { ...updated, __provider: providerText });
                expect(ctx.emulator.requests().map((r) => r.operation)).to.deep.equal(["revokeToken", "delete"]);
                expect(ctx.emulator.profiles(type.collection)).to.deep.equal([]);
            });

            it("reports a created-but-failed create with its id and __provider, naming no secret", async () => {
                const provider = load(await serialize(type.name));
                const cfg = stackConfig(ctx.emulator);
                const providerText = await serialize(type.name);
                ctx.emulator.setBehaviour({ createHonoursTokenExpiration: false });
                ctx.emulator.setFaults({ rules: [{ method: "POST", path: "createToken", status: 500, times: 50 }] });
                await configureFor(ctx.emulator, { "intune:maxRetrySeconds": "1" }, provider);
                const inputs = (await provider.check({}, { ...type.program, tokenValidityDays: 20, __provider: providerText })).inputs!;
                const err = await rejectionOf(provider.create(inputs));
                expect(err.id).to.be.a("string").and.not.equal("");
                expect(err.properties.__provider).to.equal(providerText);
                expect(err.reasons).to.be.an("array").that.is.not.empty;
                expectNoSecrets(`${err.message} ${err.reasons.join(" ")} ${err.stack ?? ""}`, [
                    ...secretsOf(err.properties, type.program),
                    cfg["intune:clientSecret"],
                ]);
                expect(ctx.emulator.profiles(type.collection).map((p) => p.id)).to.deep.equal([err.id]);
            });
        });
    }

    it("lets concurrent operations that start before configure finishes wait for it", async () => {
        const provider = load(await serialize("androidForWorkEnrollmentProfile"));
        const cfg = stackConfig(ctx.emulator);
        // Configured before for a Graph that is not there (a port nothing listens on), so that an operation which
        // did not wait for the configure below would use these settings and fail.
        const stale: Record<string, string> = { ...cfg, "intune:graphEndpoint": "https://127.0.0.1:9", "intune:maxRetrySeconds": "1" };
        await provider.configure({ config: { get: (k: string) => stale[k] } });
        void provider.configure({ config: { get: (k: string) => cfg[k] } }); // not awaited, as the host may not
        const created = await Promise.all(["A", "B", "C"].map((n) => provider.create({ displayName: `Concurrent ${n}` })));
        expect(new Set(created.map((c) => c.id)).size).to.equal(3);
        expect(ctx.emulator.profiles(FOR_WORK)).to.have.length(3);
    });

    it("reports a configuration error from every operation, not only the first", async () => {
        const provider = load(await serialize("androidDeviceOwnerEnrollmentProfile"));
        const cfg: Record<string, string> = { ...stackConfig(ctx.emulator), "intune:graphEndpoint": "http://graph.example.com" };
        await provider.configure({ config: { get: (k: string) => cfg[k] } });
        const news = { displayName: "Kiosk", enrollmentMode: "corporateOwnedDedicatedDevice" };
        for (const call of [() => provider.check({}, news), () => provider.create(news), () => provider.read("x", news), () => provider.delete("x", news)]) {
            const err = await rejectionOf(call());
            expect(err.message).to.match(/intune:graphEndpoint.*must be an https:\/\/ URL/);
            expectNoSecrets(err.message, [cfg["intune:clientSecret"]]);
        }
        expect(ctx.emulator.requests()).to.deep.equal([]);
    });
});
