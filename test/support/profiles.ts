import { expect } from "chai";
import jsQR from "jsqr";
import { PNG } from "pngjs";
import { providers } from "../../provider";
import { Behaviour, DEFAULT_BEHAVIOUR, EmulatorOptions, RunningEmulator } from "../../emulator";
import { resetConfiguration } from "../../provider/runtime/configuration";
import { useEmulator } from "./emulator";
import { call } from "./http";

/**
 * Tier-1 helpers: the exported provider singletons called directly against an emulator. Every method the
 * dynamic-provider host would call is here, typed as always present.
 */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Props = Record<string, any>;
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
/** Stands in for the serialized provider text the engine puts into every resource's inputs. */
export const PROVIDER_TEXT = "exports.handler = function () { /* provider under test */ };";

/** Every server property a profile's outputs carry (null when the service has none); the QR image only on request. */
export const SERVER_OUTPUTS = (() => {
    const forWork = [
        "profileId",
        "accountId",
        "tokenValue",
        "tokenExpirationDateTime",
        "qrCodeContent",
        "enrolledDeviceCount",
        "createdDateTime",
        "lastModifiedDateTime",
    ];
    return { forWork, deviceOwner: [...forWork, "tokenCreationDateTime", "enrollmentTokenUsageCount"] };
})();

export const DEVICE_OWNER = "androidDeviceOwnerEnrollmentProfiles" as const;
export const FOR_WORK = "androidForWorkEnrollmentProfiles" as const;

export interface DynamicProvider {
    configure(req: { config: { get(key: string): unknown } }): Promise<void>;
    check(olds: Props, news: Props): Promise<{ inputs?: Props; failures?: { property: string; reason: string }[] }>;
    diff(id: string, olds: Props, news: Props): Promise<{ changes?: boolean; replaces?: string[]; deleteBeforeReplace?: boolean }>;
    create(inputs: Props): Promise<{ id: string; outs?: Props }>;
    read(id: string, props: Props): Promise<{ id?: string; props?: Props; inputs?: Props }>;
    update(id: string, olds: Props, news: Props): Promise<{ outs?: Props }>;
    delete(id: string, props: Props): Promise<void>;
}

export const asDynamic = (p: unknown): DynamicProvider => p as DynamicProvider;
export const deviceOwner = asDynamic(providers.androidDeviceOwnerEnrollmentProfile);
export const forWork = asDynamic(providers.androidForWorkEnrollmentProfile);

/** The stack config a pipeline would set for the emulator, plus any extra `intune:` keys. */
export function stackConfig(emulator: RunningEmulator, extra: Record<string, string> = {}): Record<string, string> {
    return {
        "intune:tenantId": emulator.tenantId,
        "intune:clientId": emulator.defaultApp.clientId,
        "intune:clientSecret": emulator.defaultApp.secret,
        "intune:graphEndpoint": emulator.graphUrl,
        "intune:authorityHost": emulator.authorityHost,
        "intune:caCertificatePath": emulator.caPath,
        // The suites make more writes than Intune's 20 s budget allows; the budget itself is tested elsewhere.
        "intune:writesPerWindow": "10000",
        "intune:requestsPerWindow": "10000",
        ...extra,
    };
}

export async function configureFor(emulator: RunningEmulator, extra: Record<string, string> = {}, provider: DynamicProvider = deviceOwner): Promise<void> {
    resetConfiguration();
    const cfg = stackConfig(emulator, extra);
    await provider.configure({ config: { get: (k: string) => cfg[k] } });
}

export interface ProfileSuiteOptions extends EmulatorOptions {
    /** Extra `intune:` stack config for every test of the suite. */
    config?: Record<string, string>;
}

/**
 * One emulator for the suite (throttling off), reset before each test to an empty tenant, the suite's behaviour
 * switches and a freshly configured provider.
 */
export function useProfileEmulator(options: ProfileSuiteOptions = {}): { readonly emulator: RunningEmulator } {
    const { config, ...emulatorOptions } = options;
    const ctx = useEmulator({ ...emulatorOptions, throttle: { enabled: false, ...emulatorOptions.throttle } });
    beforeEach(async () => {
        ctx.emulator.setBehaviour({ ...DEFAULT_BEHAVIOUR, ...emulatorOptions.behaviour } as Behaviour);
        await configureFor(ctx.emulator, config);
    });
    return ctx;
}

/** Inputs as the engine hands them to create/update: checked, with the provider text. */
export async function checked(provider: DynamicProvider, news: Props, olds: Props = {}): Promise<Props> {
    const result = await provider.check(olds, { ...news, __provider: PROVIDER_TEXT });
    expect(result.failures ?? [], "check failures").to.deep.equal([]);
    return result.inputs!;
}

export interface Created {
    id: string;
    inputs: Props;
    outs: Props;
}

/** check → create, as `pulumi up` does for a new resource. */
export async function createChecked(provider: DynamicProvider, news: Props): Promise<Created> {
    const inputs = await checked(provider, news);
    const { id, outs } = await provider.create(inputs);
    expect(id).to.be.a("string").and.not.equal("");
    return { id, inputs, outs: outs! };
}

/** The Graph requests the emulator saw, as "METHOD operation" (e.g. "POST createToken", "GET get"). */
export function graphCalls(emulator: RunningEmulator): string[] {
    return emulator.requests().map((r) => `${r.method} ${r.operation}`);
}

export function count(calls: string[], call: string): number {
    return calls.filter((c) => c === call).length;
}

/**
 * That the create's answer was really lost as the test meant it to be (its connection dropped, or a 504 after the
 * profile was stored), and that the provider then looked for the profile instead of sending the create again: one
 * POST, answered with `lostAs` (0 for a dropped connection), then a list by displayName.
 */
export function expectLostCreateFoundByProbe(emulator: RunningEmulator, lostAs: number): void {
    const log = emulator.requests();
    const creates = log.filter((r) => r.method === "POST" && r.operation === "create");
    expect(
        creates.map((r) => r.status),
        "one create, its answer lost",
    ).to.deep.equal([lostAs]);
    const probe = log.findIndex((r) => r.method === "GET" && r.operation === "list");
    expect(probe, "a list looked for the profile after the lost create").to.be.greaterThan(log.indexOf(creates[0]));
}

/** The rejection of a promise that must fail. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error & Props> {
    try {
        await promise;
    } catch (err) {
        expect(err).to.be.instanceOf(Error);
        return err as Error & Props;
    }
    throw new Error("expected the call to fail, but it succeeded");
}

/**
 * Asserts that none of the secrets (5 characters or more: a WEP-40 key is 5) appears anywhere in the text, not even
 * inside a word: stricter than the provider's scrub of short ones, so a test's key must not look like innocent text.
 */
export function expectNoSecrets(text: string, secrets: unknown[]): void {
    for (const s of secrets) {
        if (typeof s !== "string" || s.length < 5) continue;
        expect(text.includes(s), `a secret (${s.slice(0, 3)}…) appears in: ${text.slice(0, 300)}`).to.equal(false);
    }
}

/** Every secret an output set holds, for leak checks. */
export function secretsOf(...propsList: (Props | undefined)[]): string[] {
    const out: string[] = [];
    for (const p of propsList) {
        if (!p) continue;
        for (const key of ["tokenValue", "qrCodeContent", "qrCodeImage", "wifiPassword"]) if (typeof p[key] === "string") out.push(p[key]);
    }
    return out;
}

/** Every value that would break the engine's Struct conversion or be silently lost. */
export function expectPlainJson(props: Props, where = "outputs"): void {
    const walk = (v: unknown, path: string): void => {
        expect(v, `${where}${path}`).to.not.equal(undefined);
        if (v === null || ["string", "number", "boolean"].includes(typeof v)) return;
        if (Array.isArray(v)) return v.forEach((x, i) => walk(x, `${path}[${i}]`));
        expect(Object.getPrototypeOf(v), `${where}${path} is a plain object`).to.equal(Object.prototype);
        for (const [k, x] of Object.entries(v as object)) walk(x, `${path}.${k}`);
    };
    walk(props, "");
    expect(JSON.parse(JSON.stringify(props))).to.deep.equal(props);
}

export const DAY_MS = 86_400_000;

/** The expiry in ms, for comparing with "now + validity". */
export function expiryOf(outs: Props): number {
    return Date.parse(String(outs.tokenExpirationDateTime));
}

/** Asserts that an expiry is `days` from now, to within a few minutes (the service stamps its own clock). */
export function expectExpiryInDays(outs: Props, days: number): void {
    const diff = Math.abs(expiryOf(outs) - (Date.now() + days * DAY_MS));
    expect(diff, `tokenExpirationDateTime ${String(outs.tokenExpirationDateTime)} is ${days} days from now`).to.be.below(10 * 60_000);
}

/** Revokes a profile's token through Graph, as an admin would, outside the provider. */
export async function revokeBehindTheBack(emulator: RunningEmulator, collection: string, id: string): Promise<void> {
    const res = await call(emulator.caPem, "POST", `${emulator.graphUrl}/beta/deviceManagement/${collection}/${id}/revokeToken`, {
        token: emulator.issueToken(),
        body: {},
    });
    expect(res.status, res.text).to.equal(204);
}

/** Decodes a base64 PNG QR code the way a phone's camera would, and returns the text it carries. */
export function decodeQrPng(base64Png: string): string {
    const bytes = Buffer.from(base64Png, "base64");
    expect(bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])), "PNG signature").to.equal(true);
    const png = PNG.sync.read(bytes);
    const code = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.byteLength), png.width, png.height);
    expect(code, "a QR code in the PNG").to.not.equal(null);
    return code!.data;
}

/** The provisioning JSON a QR content carries (GMS content is the JSON or base64 of it; AOSP content is base64). */
export function provisioningJson(content: string): Props {
    try {
        return JSON.parse(content) as Props;
    } catch {
        return JSON.parse(Buffer.from(content, "base64").toString("utf8")) as Props;
    }
}

/** The warnings `fn` printed: outside the engine's provider host, the provider writes them to stderr. */
export async function warningsOf(fn: () => Promise<unknown>): Promise<string[]> {
    const lines: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string | Uint8Array) => {
        const text = String(chunk);
        if (text.startsWith("warning: ")) lines.push(text);
        else write(chunk);
        return true;
    }) as typeof process.stderr.write;
    try {
        await fn();
    } finally {
        process.stderr.write = write;
    }
    return lines;
}
