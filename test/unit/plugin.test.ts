import { expect } from "chai";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { scrub } from "../../provider/graph/secrets";
import { checkConfig, configChanged, configReader } from "../../provider/plugin/configuration";
import { engineArgument } from "../../provider/plugin/main";
import { asSecret, SECRET_SIGNATURE, SIGNATURE_KEY, withoutSecrets, withoutSentSecrets, withSecrets } from "../../provider/plugin/wire";
import { KINDS } from "../../provider/profiles/kinds";
import { SETTING_KEYS } from "../../provider/runtime/settings";

/**
 * The provider plugin's own parts that need no engine: the secrets of the wire, the configuration as the engine
 * hands it over, the engine's address among its arguments, and the schema the build wrote from the property tables.
 * test/e2e.plugin.test.ts runs the whole plugin through the real engine.
 */

type Json = Record<string, unknown>;

describe("unit: the provider plugin", () => {
    describe("the engine's secrets on the wire", () => {
        it("takes every secret out, nested ones too, says which properties held one, and never shows it again", () => {
            const { values, secret } = withoutSecrets({
                displayName: "Kiosks",
                wifiPassword: asSecret("correct-horse-battery"),
                roleScopeTagIds: ["0", asSecret("12")],
            });
            expect(values).to.deep.equal({ displayName: "Kiosks", wifiPassword: "correct-horse-battery", roleScopeTagIds: ["0", "12"] });
            expect([...secret].sort()).to.deep.equal(["roleScopeTagIds", "wifiPassword"]);
            expect(scrub("refused: correct-horse-battery")).to.equal("refused: [redacted]");
        });

        it("hides the values of properties sent secret that a failure of another property quotes, as whole words", () => {
            const failures = [
                { property: "enrollmentTokenType", reason: '"deviceStaging" is not allowed for enrollmentMode corporateOwnedDedicatedDevice' },
                { property: "tokenValidityDays", reason: "must be at most 90 days for AOSP enrollment modes" },
            ];
            const values = { enrollmentMode: "corporateOwnedDedicatedDevice", tokenValidityDays: 9 };
            expect(withoutSentSecrets(failures, values, ["enrollmentMode", "tokenValidityDays"])).to.deep.equal([
                { property: "enrollmentTokenType", reason: '"deviceStaging" is not allowed for enrollmentMode [secret]' },
                // Too short to search for: "9" would hide parts of other words and show where it stands.
                { property: "tokenValidityDays", reason: "must be at most 90 days for AOSP enrollment modes" },
            ]);
            expect(withoutSentSecrets(failures, values, [])).to.equal(failures);
        });

        it("puts the secret ones back in the engine's form, and leaves a null alone", () => {
            const out = withSecrets({ tokenValue: "tok", qrCodeContent: null, displayName: "Kiosks" }, ["tokenValue", "qrCodeContent"]);
            expect(out).to.deep.equal({ tokenValue: { [SIGNATURE_KEY]: SECRET_SIGNATURE, value: "tok" }, qrCodeContent: null, displayName: "Kiosks" });
        });
    });

    describe("configuration", () => {
        it("refuses an unknown key naming the nearest one, and a typed key's wrong value, but not the engine's own keys", () => {
            expect(checkConfig({ tenantID: "x", emulator: "maybe", writesPerWindow: "1.5", version: "0.1.0", debug: "true" })).to.deep.equal([
                { property: "tenantID", reason: "is not a setting of the intune provider; did you mean `tenantId`?" },
                { property: "emulator", reason: 'must be true or false, not "maybe"' },
                { property: "writesPerWindow", reason: 'must be a positive whole number, not "1.5"' },
            ]);
        });

        it("never shows the value of a secret setting in a failure", () => {
            const [failure] = checkConfig({ clientSecret: { oops: "s3cr3t-value" } });
            expect(failure.property).to.equal("clientSecret");
            expect(failure.reason).to.not.include("s3cr3t-value");
        });

        it("reads a provider resource's properties before stack config, and lists every key it was given", () => {
            const reader = configReader(
                new Map([
                    ["intune:config:tenantId", "from-stack"],
                    ["intune:config:debug", "true"],
                    ["other:config:x", "y"],
                ]),
                { tenantId: "from-provider", version: "0.1.0" },
            );
            expect(reader.get("intune:tenantId")).to.equal("from-provider");
            expect(reader.get("intune:debug")).to.equal("true");
            expect(reader.keys!().sort()).to.deep.equal(["intune:debug", "intune:tenantId"]);
        });

        it("tells a changed setting from the engine's own keys", () => {
            expect(configChanged({ tenantId: "a", version: "1" }, { tenantId: "a", version: "2" })).to.equal(false);
            expect(configChanged({ tenantId: "a" }, { tenantId: "b" })).to.equal(true);
        });
    });

    it("finds the engine's address after the flags the engine may add", () => {
        expect(engineArgument(["--logtostderr", "-v=9", "--tracing", "http://trace", "127.0.0.1:4321"])).to.equal("127.0.0.1:4321");
        expect(engineArgument([])).to.equal(undefined);
    });

    describe("the schema the build wrote from the property tables", () => {
        const schema = JSON.parse(readFileSync(join(__dirname, "..", "..", "provider", "plugin", "schema.json"), "utf8")) as {
            name: string;
            config: { variables: Record<string, Json> };
            types: Record<string, Json>;
            resources: Record<string, { inputProperties: Record<string, Json>; requiredInputs: string[]; properties: Record<string, Json> }>;
        };

        it("is the intune package, so the config keys stay intune:*, with every setting and its secrecy", () => {
            expect(schema.name).to.equal("intune");
            expect(Object.keys(schema.config.variables)).to.deep.equal(SETTING_KEYS.map((s) => s.key));
            for (const s of SETTING_KEYS) expect(schema.config.variables[s.key].secret === true, s.key).to.equal(s.secret === true);
        });

        it("has every input of every kind's table, with a description, secrets marked and replaceOnChanges on the outputs", () => {
            for (const kind of Object.values(KINDS)) {
                const r = schema.resources[`intune:index:${kind.typeName}`];
                expect(Object.keys(r.inputProperties).sort(), kind.name).to.deep.equal([...kind.inputKeys].sort());
                expect(r.requiredInputs).to.deep.equal([...kind.required]);
                for (const [name, p] of Object.entries(r.inputProperties)) expect(p.description, `${kind.name}.${name}`).to.be.a("string").and.not.equal("");
                for (const key of kind.secrets) expect(r.properties[key].secret, `${kind.name}.${key}`).to.equal(true);
                const replacing = Object.entries(r.properties)
                    .filter(([, p]) => p.replaceOnChanges)
                    .map(([k]) => k);
                expect(replacing.sort()).to.deep.equal([...kind.replaceOnChange].sort());
            }
        });

        it("states no default (an SDK would send it as declared) and types the enrollment mode as an enum", () => {
            expect(JSON.stringify(schema)).to.not.match(/"default"\s*:/);
            const mode = schema.types["intune:index:EnrollmentMode"] as { enum: { value: string }[] };
            expect(mode.enum.map((e) => e.value)).to.include("corporateOwnedAOSPUserlessDevice");
        });
    });
});
