import { expect } from "chai";
import * as grpc from "@grpc/grpc-js";
import * as provproto from "@pulumi/pulumi/proto/provider_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as statusproto from "@pulumi/pulumi/proto/status_pb";
import { service } from "../provider/plugin/server";
import { asSecret, SECRET_SIGNATURE, SIGNATURE_KEY } from "../provider/plugin/wire";
import { resetConfiguration } from "../provider/runtime/configuration";
import { Props, stackConfig, useProfileEmulator } from "./support/profiles";

/**
 * The provider plugin's calls, through its gRPC handlers against the emulator: every secret goes back to the engine
 * wrapped once, whether it is secret by its type, arrived secret, or both. The engine keeps a secret inside a
 * secret as it is, and an SDK takes off one layer: a value wrapped twice reaches the program as an object.
 */

const TYPE = "intune:index:AndroidDeviceOwnerEnrollmentProfile";
const URN = `urn:pulumi:dev::fleet::${TYPE}::aosp`;
const AOSP: Props = {
    displayName: "Scanners",
    enrollmentMode: "corporateOwnedAOSPUserlessDevice",
    configureWifi: true,
    wifiSsid: "Warehouse",
    wifiSecurityType: "wpa",
    wifiPassword: asSecret("correct-horse-battery"),
};

function call<Res>(method: string, request: unknown): Promise<Res> {
    return new Promise((resolve, reject) =>
        (service[method] as grpc.handleUnaryCall<unknown, Res>)({ request } as grpc.ServerUnaryCall<unknown, Res>, (err, res) =>
            err ? reject(err) : resolve(res as Res),
        ),
    );
}

/** How many secret wrappers a value has around its plain value. */
function depth(v: unknown): number {
    let n = 0;
    while (typeof v === "object" && v !== null && (v as Props)[SIGNATURE_KEY] === SECRET_SIGNATURE) {
        v = (v as Props).value;
        n++;
    }
    return n;
}

describe("plugin: secrets on the wire", function () {
    this.timeout(60_000);
    const ctx = useProfileEmulator();

    async function configure(extra: Record<string, string> = {}): Promise<void> {
        resetConfiguration();
        const request = new provproto.ConfigureRequest();
        const variables = request.getVariablesMap();
        for (const [key, value] of Object.entries(stackConfig(ctx.emulator, extra))) variables.set(key.replace("intune:", "intune:config:"), value);
        request.setArgs(Struct.fromJavaScript({}));
        await call("configure", request);
    }

    beforeEach(() => configure());

    it("wraps each secret once through check, create, refresh and update", async () => {
        const checkRequest = new provproto.CheckRequest().setUrn(URN).setType(TYPE).setOlds(Struct.fromJavaScript({})).setNews(Struct.fromJavaScript(AOSP));
        const checked = (await call<provproto.CheckResponse>("check", checkRequest)).getInputs()!.toJavaScript();
        expect(depth(checked.wifiPassword), "check: wifiPassword").to.equal(1);

        const created = await call<provproto.CreateResponse>(
            "create",
            new provproto.CreateRequest().setUrn(URN).setType(TYPE).setProperties(Struct.fromJavaScript(checked)),
        );
        const outs = created.getProperties()!.toJavaScript();
        for (const key of ["wifiPassword", "tokenValue", "qrCodeContent"]) expect(depth(outs[key]), `create: ${key}`).to.equal(1);

        // A refresh gets the state back with its secrets wrapped, as the engine keeps them.
        const readRequest = new provproto.ReadRequest()
            .setUrn(URN)
            .setType(TYPE)
            .setId(created.getId())
            .setProperties(Struct.fromJavaScript(outs))
            .setInputs(Struct.fromJavaScript(checked));
        const read = await call<provproto.ReadResponse>("read", readRequest);
        const props = read.getProperties()!.toJavaScript();
        for (const key of ["wifiPassword", "tokenValue", "qrCodeContent"]) expect(depth(props[key]), `refresh: ${key}`).to.equal(1);
        expect(depth(read.getInputs()!.toJavaScript().wifiPassword), "refresh inputs: wifiPassword").to.equal(1);

        const news = { ...checked, displayName: "Scanners (renamed)" };
        const updateRequest = new provproto.UpdateRequest()
            .setUrn(URN)
            .setType(TYPE)
            .setId(created.getId())
            .setOlds(Struct.fromJavaScript(props))
            .setNews(Struct.fromJavaScript(news));
        const updated = (await call<provproto.UpdateResponse>("update", updateRequest)).getProperties()!.toJavaScript();
        for (const key of ["wifiPassword", "tokenValue", "qrCodeContent"]) expect(depth(updated[key]), `update: ${key}`).to.equal(1);
        expect(ctx.emulator.profiles("androidDeviceOwnerEnrollmentProfiles").map((p) => p.displayName)).to.deep.equal(["Scanners (renamed)"]);
    });

    it("never quotes a value sent secret in a check failure, however long or escaped", async () => {
        const id = `internal-"${"x".repeat(90)}`;
        const news = {
            displayName: "Kiosks",
            enrollmentMode: "corporateOwnedDedicatedDevice",
            adoptExistingId: asSecret(id),
            tokenExpirationDateTime: asSecret("2001-01-01T00:00:00Z"),
        };
        const request = new provproto.CheckRequest().setUrn(URN).setType(TYPE).setOlds(Struct.fromJavaScript({})).setNews(Struct.fromJavaScript(news));
        const failures = (await call<provproto.CheckResponse>("check", request)).getFailuresList().map((f) => [f.getProperty(), f.getReason()]);
        expect(failures).to.deep.equal([
            ["adoptExistingId", "must be a profile id (GUID), got a string (secret, not shown)"],
            ["tokenExpirationDateTime", "must be in the future"],
        ]);
    });

    it("keeps a property sent secret secret in the state of a profile made but not finished", async () => {
        await configure({ "intune:consistencyTimeoutSeconds": "1" });
        ctx.emulator.setFaults({ notFoundAfterCreateMs: 60_000 });
        const program = { displayName: asSecret("Confidential kiosks"), enrollmentMode: "corporateOwnedDedicatedDevice" };
        const request = new provproto.CreateRequest().setUrn(URN).setType(TYPE).setProperties(Struct.fromJavaScript(program));
        const err = (await call("create", request).then(
            () => expect.fail("the create should fail: Intune never shows the profile"),
            (e: unknown) => e,
        )) as grpc.ServiceError;
        const [details] = err.metadata.get("grpc-status-details-bin") as Buffer[];
        const failed = statusproto.Status.deserializeBinary(details)
            .getDetailsList()[0]
            .unpack(provproto.ErrorResourceInitFailed.deserializeBinary, "pulumirpc.ErrorResourceInitFailed")!;
        expect(failed.getId()).to.equal(ctx.emulator.profiles("androidDeviceOwnerEnrollmentProfiles")[0].id);
        const props = failed.getProperties()!.toJavaScript();
        expect(depth(props.displayName), "displayName").to.equal(1);
        expect(depth(props.tokenValue), "tokenValue").to.equal(1);
    });
});
