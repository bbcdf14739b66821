import { expect } from "chai";
import { startEmulator } from "../emulator";
import { TEST_TLS_DIR } from "./support/emulator";
import {
    checked,
    configureFor,
    count,
    createChecked,
    decodeQrPng,
    DEVICE_OWNER,
    deviceOwner,
    DynamicProvider,
    expectExpiryInDays,
    expectNoSecrets,
    expectPlainJson,
    FOR_WORK,
    forWork,
    graphCalls,
    Props,
    PROVIDER_TEXT,
    provisioningJson,
    rejectionOf,
    secretsOf,
    SERVER_OUTPUTS,
    useProfileEmulator,
    expectLostCreateFoundByProbe,
} from "./support/profiles";

const WIFI_PASSWORD = "Corr3ct-Horse-Battery-Staple";

interface ModeCase {
    title: string;
    program: Props;
    tokenPattern: RegExp;
    /** Days the token should live; undefined for a token that never expires. */
    days?: number;
}

const MODES: ModeCase[] = [
    {
        title: "a dedicated-device profile",
        program: {
            displayName: "Kiosk",
            enrollmentMode: "corporateOwnedDedicatedDevice",
            tokenValidityDays: 45,
            roleScopeTagIds: ["0"],
            includeQrCodeImage: true,
        },
        tokenPattern: /^\d{20}$/,
        days: 45,
    },
    {
        title: "a shared-mode dedicated profile",
        program: {
            displayName: "Shared",
            enrollmentMode: "corporateOwnedDedicatedDevice",
            enrollmentTokenType: "corporateOwnedDedicatedDeviceWithAzureADSharedMode",
            tokenValidityDays: 400,
        },
        tokenPattern: /^\d{20}$/,
        days: 400,
    },
    {
        title: "a fully-managed profile",
        program: { displayName: "Managed", enrollmentMode: "corporateOwnedFullyManaged", description: "COBO" },
        tokenPattern: /^[A-Z]{8}$/,
    },
    {
        title: "a work-profile profile",
        program: { displayName: "COPE", enrollmentMode: "corporateOwnedWorkProfile", deviceNameTemplate: "COPE-{{SERIALLAST4DIGITS}}" },
        tokenPattern: /^[A-Z]{8}$/,
    },
    {
        title: "a device-staging token",
        program: { displayName: "Staging", enrollmentMode: "corporateOwnedFullyManaged", enrollmentTokenType: "deviceStaging", tokenValidityDays: 30 },
        tokenPattern: /^[A-Z]{8}$/,
        days: 30,
    },
    {
        title: "an AOSP userless profile",
        program: { displayName: "Headsets", enrollmentMode: "corporateOwnedAOSPUserlessDevice", tokenValidityDays: 90, isTeamsDeviceProfile: true },
        tokenPattern: /^\d{20}$/,
        days: 90,
    },
    {
        title: "an AOSP user-associated profile with Wi-Fi",
        program: {
            displayName: "Glasses",
            enrollmentMode: "corporateOwnedAOSPUserAssociatedDevice",
            tokenValidityDays: 60,
            wifiSsid: "corp-iot",
            wifiSecurityType: "wpa",
            wifiPassword: WIFI_PASSWORD,
            wifiHidden: true,
        },
        tokenPattern: /^\d{20}$/,
        days: 60,
    },
];

function expectCompleteOutputs(outs: Props, program: Props, serverKeys: string[]): void {
    expectPlainJson(outs);
    for (const key of serverKeys) expect(outs, `outputs.${key}`).to.have.property(key);
    for (const [key, value] of Object.entries(program)) {
        if (key === "tokenExpirationDateTime") continue;
        expect(outs[key], `declared input ${key} is kept in the outputs`).to.deep.equal(value);
    }
    expect(outs.profileId).to.match(/^[0-9a-f-]{36}$/);
    expect(outs.accountId).to.be.a("string").and.not.equal("");
    if (program.includeQrCodeImage === true) {
        expect(outs.qrCodeImageType).to.equal("image/png");
        expect(decodeQrPng(outs.qrCodeImage)).to.equal(outs.qrCodeContent);
    } else {
        // The image stays out of state unless asked for: it is drawn from qrCodeContent where needed.
        expect(outs).to.not.have.any.keys("qrCodeImage", "qrCodeImageType");
    }
    expect(JSON.stringify(provisioningJson(outs.qrCodeContent))).to.contain(outs.tokenValue);
    expect(outs.enrolledDeviceCount).to.equal(0);
    expect(Date.parse(outs.createdDateTime)).to.not.be.NaN;
    expect(Date.parse(outs.lastModifiedDateTime)).to.not.be.NaN;
    expect(outs).to.not.have.property("__provider");
}

describe("profiles: create", () => {
    const ctx = useProfileEmulator();

    for (const mode of MODES) {
        it(`creates ${mode.title} with one POST, complete plain-JSON outputs and the declared token validity`, async () => {
            const { id, outs } = await createChecked(deviceOwner, mode.program);
            expect(id).to.equal(outs.profileId);
            expectCompleteOutputs(outs, mode.program, SERVER_OUTPUTS.deviceOwner);
            expect(outs.tokenValue).to.match(mode.tokenPattern);
            expect(outs.enrollmentTokenUsageCount).to.equal(0);
            expect(Date.parse(outs.tokenCreationDateTime)).to.not.be.NaN;
            if (mode.days === undefined)
                expect(outs.tokenExpirationDateTime).to.equal("0001-01-01T00:00:00Z"); // the emulator's default reading of "never"
            else expectExpiryInDays(outs, mode.days);

            const calls = graphCalls(ctx.emulator);
            expect(count(calls, "POST create"), calls.join(", ")).to.equal(1);
            expect(count(calls, "POST createToken"), calls.join(", ")).to.equal(0);
            expect(count(calls, "GET get") + count(calls, "GET list"), calls.join(", ")).to.be.at.most(2);

            const stored = ctx.emulator.profiles(DEVICE_OWNER);
            expect(stored.map((p) => p.id)).to.deep.equal([id]);
            expect(stored[0].tokenValue).to.equal(outs.tokenValue);
            expect(stored[0].enrollmentMode).to.equal(mode.program.enrollmentMode);
        });
    }

    it("sends the Wi-Fi settings of an AOSP profile, keeps the write-only password from the inputs, and the QR code carries them", async () => {
        const aosp = MODES[MODES.length - 1].program;
        const { id, outs } = await createChecked(deviceOwner, aosp);
        const stored = ctx.emulator.profiles(DEVICE_OWNER).find((p) => p.id === id)!;
        expect(stored).to.deep.include({ wifiSsid: "corp-iot", wifiSecurityType: "wpa", wifiPassword: WIFI_PASSWORD, wifiHidden: true });
        expect(outs.wifiPassword).to.equal(WIFI_PASSWORD);
        const qr = provisioningJson(outs.qrCodeContent);
        expect(qr["android.app.extra.PROVISIONING_WIFI_SSID"]).to.equal("corp-iot");
    });

    it("creates a legacy profile: POST, then createToken for the default 90 days", async () => {
        const program = { displayName: "COSU legacy", description: "old kiosks" };
        const { outs } = await createChecked(forWork, program);
        expectCompleteOutputs(outs, program, SERVER_OUTPUTS.forWork);
        expect(outs).to.not.have.property("tokenCreationDateTime");
        expect(outs.tokenValue).to.match(/^[A-Z]{8}$/);
        expectExpiryInDays(outs, 90);
        const calls = graphCalls(ctx.emulator);
        expect(count(calls, "POST create"), calls.join(", ")).to.equal(1);
        expect(count(calls, "POST createToken"), calls.join(", ")).to.equal(1);
        expect(count(calls, "GET get") + count(calls, "GET list"), calls.join(", ")).to.be.at.most(2);
        expect(ctx.emulator.profiles(FOR_WORK)).to.have.length(1);
    });

    it("issues a legacy token for the declared validity", async () => {
        const { outs } = await createChecked(forWork, { displayName: "Legacy 30", tokenValidityDays: 30 });
        expectExpiryInDays(outs, 30);
    });

    it("honours a fixed tokenExpirationDateTime, keeping it apart from the live expiry", async () => {
        const at = new Date(Date.now() + 50 * 86_400_000).toISOString();
        const { outs } = await createChecked(deviceOwner, {
            displayName: "Fixed",
            enrollmentMode: "corporateOwnedDedicatedDevice",
            tokenExpirationDateTime: at,
        });
        expectExpiryInDays(outs, 50);
        expect(outs.requestedTokenExpirationDateTime).to.equal(at);
    });

    it("calls createToken once when the service does not honour the first token's expiry in the POST", async () => {
        ctx.emulator.setBehaviour({ createHonoursTokenExpiration: false });
        const { outs } = await createChecked(deviceOwner, { displayName: "Kiosk", enrollmentMode: "corporateOwnedDedicatedDevice", tokenValidityDays: 30 });
        expectExpiryInDays(outs, 30);
        const calls = graphCalls(ctx.emulator);
        expect(count(calls, "POST create"), calls.join(", ")).to.equal(1);
        expect(count(calls, "POST createToken"), calls.join(", ")).to.equal(1);
        expect(count(calls, "GET get") + count(calls, "GET list"), calls.join(", ")).to.be.at.most(2);
        expect(JSON.stringify(provisioningJson(outs.qrCodeContent))).to.contain(outs.tokenValue);
    });

    it("reports a createToken 404 that outlasts the consistency time as it came, with its request ids", async () => {
        await configureFor(ctx.emulator, { "intune:consistencyTimeoutSeconds": "1" }, forWork);
        ctx.emulator.setFaults({
            rules: [
                { method: "POST", path: "/createToken$", status: 404, code: "ResourceNotFound", message: "Resource not found for the segment 'createToken'." },
            ],
        });
        const err = await rejectionOf(forWork.create(await checked(forWork, { displayName: "Legacy refused" })));
        expect(err.name).to.equal("ProfileCreatedButFailed");
        expect(err.message).to.match(
            /^Issuing an enrollment token for Android for Work enrollment profile "Legacy refused" failed: 404 Not Found \(.*request-id [0-9a-f-]{36}/,
        );
        const asked = ctx.emulator.requests().filter((r) => r.method === "POST" && /\/createToken$/.test(r.path));
        expect(asked.length, "asked again while the time lasted").to.be.greaterThan(1);
    });

    it("recognises a re-issued token in base64 GMS QR content", async () => {
        ctx.emulator.setBehaviour({ gmsQrContentBase64: true });
        const { outs } = await createChecked(forWork, { displayName: "Legacy base64" });
        expect(Buffer.from(outs.qrCodeContent, "base64").toString("utf8")).to.contain(outs.tokenValue);
    });

    it("waits out a window in which the new profile reads as 404", async () => {
        ctx.emulator.setFaults({ notFoundAfterCreateMs: 1200 });
        const { id, outs } = await createChecked(deviceOwner, {
            displayName: "Eventually",
            enrollmentMode: "corporateOwnedDedicatedDevice",
            tokenValidityDays: 30,
        });
        expect(outs.profileId).to.equal(id);
        expect(outs.tokenValue).to.match(/^\d{20}$/);
        const reads = ctx.emulator.requests().filter((r) => r.method === "GET" && r.operation === "get");
        expect(
            reads.some((r) => r.status === 404),
            "read-backs answered 404 first",
        ).to.equal(true);
        expect(reads[reads.length - 1].status).to.equal(200);
        expect(count(graphCalls(ctx.emulator), "POST create")).to.equal(1);
    });

    it("issues the first token once the new profile takes it, when the window hides it from createToken too", async () => {
        ctx.emulator.setFaults({ notFoundAfterCreateMs: 1000, notFoundAfterCreateOnWrites: true });
        const { id, outs } = await createChecked(forWork, { displayName: "Legacy eventually" });
        expect(JSON.stringify(provisioningJson(outs.qrCodeContent))).to.contain(outs.tokenValue);
        const tokens = ctx.emulator.requests().filter((r) => r.method === "POST" && r.operation === "createToken");
        expect(tokens[0].status, "the first createToken met the window").to.equal(404);
        expect(tokens.map((r) => r.status).filter((s) => s !== 404)).to.deep.equal([204]);
        expect(ctx.emulator.profiles(FOR_WORK).map((p) => p.id)).to.deep.equal([id]);
    });

    for (const fault of [{ drop: true }, { status: 503 }, { status: 504 }]) {
        it(`does not create a duplicate when the POST took effect but its answer was lost (${fault.drop ? "dropped connection" : fault.status})`, async () => {
            ctx.emulator.setFaults({ rules: [{ method: "POST", path: "Profiles$", afterCommit: true, times: 1, ...fault }] });
            const { id, outs } = await createChecked(deviceOwner, {
                displayName: "Lost answer",
                enrollmentMode: "corporateOwnedDedicatedDevice",
                tokenValidityDays: 30,
            });
            expectLostCreateFoundByProbe(ctx.emulator, fault.status ?? 0);
            expect(ctx.emulator.profiles(DEVICE_OWNER).map((p) => p.id)).to.deep.equal([id]);
            expect(outs.tokenValue).to.equal(ctx.emulator.profiles(DEVICE_OWNER)[0].tokenValue);
            expectExpiryInDays(outs, 30);
        });
    }

    it("gives two identical profiles whose answers were both lost one profile each, not the same one twice", async () => {
        // Latency keeps both creates in flight together, so both searches see both profiles.
        ctx.emulator.setFaults({ rules: [{ method: "POST", path: "Profiles$", afterCommit: true, times: 2, drop: true }], latencyMs: 40 });
        const program = { displayName: "Twin", enrollmentMode: "corporateOwnedDedicatedDevice", tokenValidityDays: 30 };
        const [a, b] = await Promise.all([createChecked(deviceOwner, program), createChecked(deviceOwner, program)]);
        expect(count(graphCalls(ctx.emulator), "POST create"), "neither create sent again").to.equal(2);
        expect([a.id, b.id].sort()).to.deep.equal(
            ctx.emulator
                .profiles(DEVICE_OWNER)
                .map((p) => p.id)
                .sort(),
        );
    });

    it("never names a secret input in its error, even when Graph echoes it back", async () => {
        const program = { ...MODES[MODES.length - 1].program, displayName: "Echo" };
        // Twice: a refused create that carried the first token's expiry is sent once more without it.
        ctx.emulator.setFaults({
            rules: [{ method: "POST", path: "Profiles$", status: 400, code: "BadRequest", message: `Invalid Wi-Fi passphrase '${WIFI_PASSWORD}'.`, times: 2 }],
        });
        const err = await rejectionOf(deviceOwner.create(await checked(deviceOwner, program)));
        expect(err.message).to.match(/Creating Android enrollment profile "Echo" failed: 400/);
        const posts = ctx.emulator.requests().filter((r) => r.method === "POST" && /Profiles$/.test(r.path));
        expect(posts, "the create, then the same without the expiry").to.have.length(2);
        expectNoSecrets(`${err.message} ${err.stack ?? ""} ${JSON.stringify(err)}`, [WIFI_PASSWORD, ctx.emulator.defaultApp.secret]);
        expect(ctx.emulator.profiles(DEVICE_OWNER)).to.deep.equal([]);
    });

    describe("when a step after the POST fails", () => {
        async function createdButFailed(provider: DynamicProvider, program: Props): Promise<{ err: Error & Props; inputs: Props }> {
            const inputs = await checked(provider, program);
            const err = await rejectionOf(provider.create(inputs));
            expect(err.id, err.message)
                .to.be.a("string")
                .and.match(/^[0-9a-f-]{36}$/);
            expect(err.properties.__provider).to.equal(PROVIDER_TEXT);
            expect(err.reasons).to.be.an("array").that.is.not.empty;
            expect(err.message).to.contain(err.id);
            expectPlainJson(err.properties, "properties");
            expectNoSecrets(err.message, [...secretsOf(err.properties), ctx.emulator.defaultApp.secret]);
            expectNoSecrets(err.reasons.join(" "), [...secretsOf(err.properties), ctx.emulator.defaultApp.secret]);
            return { err, inputs };
        }

        it("reports a legacy profile whose createToken failed as created, and the next update issues its token", async () => {
            ctx.emulator.setFaults({ rules: [{ method: "POST", path: "createToken", status: 400, times: 10 }] });
            const program = { displayName: "Half made", tokenValidityDays: 60 };
            const { err, inputs } = await createdButFailed(forWork, program);
            expect(err.message).to.match(/createToken|token/i);
            expect(
                ctx.emulator.profiles(FOR_WORK).map((p) => p.id),
                "the profile exists and Pulumi holds it",
            ).to.deep.equal([err.id]);

            ctx.emulator.clearFaults();
            const diff = await forWork.diff(err.id, err.properties, inputs);
            expect(diff.changes, "the next up sees work left to do").to.equal(true);
            const { outs } = await forWork.update(err.id, err.properties, inputs);
            expect(outs!.tokenValue).to.match(/^[A-Z]{8}$/);
            expectExpiryInDays(outs!, 60);
            expectCompleteOutputs(outs!, program, SERVER_OUTPUTS.forWork);
            expect(ctx.emulator.profiles(FOR_WORK)).to.have.length(1);
            expect((await forWork.diff(err.id, outs!, inputs)).changes, "and then it has converged").to.equal(false);
        });

        it("reports a legacy profile whose token an app-only sign-in may not issue as created, saying where the token can be issued", async () => {
            ctx.emulator.setBehaviour({ appOnlyCreateTokenForbidden: true });
            const { err } = await createdButFailed(forWork, { displayName: "App-only", tokenValidityDays: 60 });
            expect(err.message).to.contain("403 Forbidden").and.contain("DeviceManagementConfiguration.ReadWrite.All").and.contain("signed in as a user");
            expect(ctx.emulator.profiles(FOR_WORK).map((p) => p.id)).to.deep.equal([err.id]);
        });

        it("reports a device-owner profile whose createToken failed as created, and the next update issues the declared token", async () => {
            ctx.emulator.setBehaviour({ createHonoursTokenExpiration: false });
            ctx.emulator.setFaults({ rules: [{ method: "POST", path: "createToken", status: 400, times: 10 }] });
            const program = { displayName: "Half made", enrollmentMode: "corporateOwnedDedicatedDevice", tokenValidityDays: 30 };
            const { err, inputs } = await createdButFailed(deviceOwner, program);
            expect(ctx.emulator.profiles(DEVICE_OWNER).map((p) => p.id)).to.deep.equal([err.id]);

            ctx.emulator.clearFaults();
            expect((await deviceOwner.diff(err.id, err.properties, inputs)).changes).to.equal(true);
            const { outs } = await deviceOwner.update(err.id, err.properties, inputs);
            expectExpiryInDays(outs!, 30);
            expect(outs!.tokenValue).to.not.equal(err.properties.tokenValue);
            expectCompleteOutputs(outs!, program, SERVER_OUTPUTS.deviceOwner);
            expect((await deviceOwner.diff(err.id, outs!, inputs)).changes).to.equal(false);
        });

        it("reports a profile whose read-back timed out as created, and the next update completes it", async () => {
            await configureFor(ctx.emulator, { "intune:consistencyTimeoutSeconds": "1" });
            ctx.emulator.setFaults({ notFoundAfterCreateMs: 60_000 });
            const program = { displayName: "Never visible", enrollmentMode: "corporateOwnedDedicatedDevice", tokenValidityDays: 30 };
            const { err, inputs } = await createdButFailed(deviceOwner, program);
            expect(err.message).to.match(/Timed out/);
            // A fuzzed read-back showed the user an id alone: the message names the resource as the program does.
            expect(err.message).to.include(`waiting for Android enrollment profile "Never visible" (${err.id}) to show its enrollment token`);
            expect(ctx.emulator.profiles(DEVICE_OWNER).map((p) => p.id)).to.deep.equal([err.id]);

            ctx.emulator.clearFaults();
            const { outs } = await deviceOwner.update(err.id, err.properties, inputs);
            expectCompleteOutputs(outs!, program, SERVER_OUTPUTS.deviceOwner);
            expectExpiryInDays(outs!, 30);
            expect(ctx.emulator.profiles(DEVICE_OWNER)).to.have.length(1);
        });

        it("keeps a profile Intune accepted but never showed through a refresh that still gets 404, so no second one is created", async () => {
            await configureFor(ctx.emulator, { "intune:consistencyTimeoutSeconds": "1" });
            ctx.emulator.setFaults({ notFoundAfterCreateMs: 60_000 });
            const program = { displayName: "Slow to show", enrollmentMode: "corporateOwnedDedicatedDevice", tokenValidityDays: 30 };
            const { err } = await createdButFailed(deviceOwner, program);
            const recorded = { ...err.properties, __provider: PROVIDER_TEXT };
            expect(recorded.createdNotYetShownSince).to.be.a("string");

            const refusal = await rejectionOf(deviceOwner.read(err.id, recorded));
            expect(refusal.message).to.match(
                /^Reading Android enrollment profile "Slow to show" \([0-9a-f-]{36}\) failed: Intune accepted its create at \S+ but has not shown it since/,
            );
            expect(refusal.message).to.contain("pulumi state delete");
            // A destroy in that window does not take the 404 for "already gone" either.
            const kept = await rejectionOf(deviceOwner.delete(err.id, recorded));
            expect(kept.message).to.match(/^Deleting Android enrollment profile "Slow to show" \([0-9a-f-]{36}\) failed: Intune accepted its create/);
            expect(ctx.emulator.profiles(DEVICE_OWNER).map((p) => p.id)).to.deep.equal([err.id]);

            ctx.emulator.clearFaults();
            const read = await deviceOwner.read(err.id, recorded);
            expect(read.id).to.equal(err.id);
            expect(read.props, "shown once: a later 404 means deleted").to.not.have.property("createdNotYetShownSince");
            expect(ctx.emulator.profiles(DEVICE_OWNER).map((p) => p.id)).to.deep.equal([err.id]);

            // Deleted in the portal once it was shown: the refresh drops it, as for any profile.
            ctx.emulator.deleteInPortal(DEVICE_OWNER, err.id);
            expect((await deviceOwner.read(err.id, { ...read.props, __provider: PROVIDER_TEXT })).id).to.equal("");
        });
    });

    // Runs last in this file on purpose: the provider remembers a service that refuses the first-token expiry.
    it("still creates when the service refuses read-only properties in the body, leaving the expiry out and issuing the token", async () => {
        ctx.emulator.setBehaviour({ readOnlyPropertiesInBody: "reject" });
        const { outs } = await createChecked(deviceOwner, { displayName: "Strict", enrollmentMode: "corporateOwnedDedicatedDevice", tokenValidityDays: 30 });
        expectExpiryInDays(outs, 30);
        expect(ctx.emulator.profiles(DEVICE_OWNER), "no duplicate").to.have.length(1);
        const calls = ctx.emulator.requests().map((r) => `${r.method} ${r.operation} ${r.status}`);
        expect(
            calls.filter((c) => c.startsWith("POST create ")),
            calls.join(", "),
        ).to.deep.equal(["POST create 400", "POST create 201"]);

        // What it learnt about that service does not follow the provider to another one.
        const other = await startEmulator({ tlsDir: TEST_TLS_DIR, throttle: { enabled: false } });
        try {
            await configureFor(other);
            await createChecked(deviceOwner, { displayName: "Elsewhere", enrollmentMode: "corporateOwnedDedicatedDevice", tokenValidityDays: 30 });
            const elsewhere = graphCalls(other);
            expect(count(elsewhere, "POST create"), elsewhere.join(", ")).to.equal(1);
            expect(count(elsewhere, "POST createToken"), elsewhere.join(", ")).to.equal(0);
        } finally {
            await other.stop();
        }
    });
});
