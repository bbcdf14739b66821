import { createServer, Server } from "node:https";
import { createSecureServer, Http2SecureServer } from "node:http2";
import { AddressInfo, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { adminRoute } from "./admin";
import { EmulatorControl, RunningEmulator } from "./control";
import { Clock, graphTimestamp } from "./clock";
import { FaultInjector, seededRandom } from "./faults";
import { Identity } from "./identity";
import {
    Behaviour,
    DEFAULT_APPS,
    DEFAULT_BEHAVIOUR,
    DEFAULT_FAULTS,
    DEFAULT_GROUPS,
    DEFAULT_TENANT_ID,
    DEFAULT_THROTTLE,
    EmulatedApp,
    EmulatedGroup,
    EmulatorOptions,
    FaultSettings,
} from "./options";
import { ProfileService } from "./profileService";
import { EnterpriseSettingsService, initialSettings } from "./androidEnterprise";
import { createHandler, RecordedRequest } from "./server";
import { Entity, ProfileStore } from "./store";
import { Throttle } from "./throttle";
import { loadOrCreateTls } from "./tls";

export * from "./options";
export type { EmulatorControl, RunningEmulator } from "./control";
export type { RecordedRequest } from "./server";
export type { Entity } from "./store";
export type { CollectionName } from "./profileTypes";
export type { AndroidEnterpriseSettings, BindStatus } from "./androidEnterprise";
export { BIND_STATUSES } from "./androidEnterprise";

/** What the emulator advertises in SETTINGS: Graph's own value is not documented; 100 is the value HTTP/2 recommends as a minimum. */
const MAX_CONCURRENT_STREAMS = 100;

export function defaultTlsDir(): string {
    return process.env.INTUNE_EMULATOR_TLS_DIR ?? join(tmpdir(), "pulumi-intune-emulator-tls");
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
    const tls = await loadOrCreateTls(options.tlsDir ?? defaultTlsDir());
    const host = options.host ?? "127.0.0.1";
    const tenantId = (options.tenantId ?? DEFAULT_TENANT_ID).toLowerCase();
    let baseUrl = "";
    const clock = new Clock();
    let behaviour: Behaviour = { ...DEFAULT_BEHAVIOUR, ...options.behaviour };
    // Rules are copied one by one: the injector counts `times` down on the rule objects it holds.
    const faultSettings = (): FaultSettings => ({ ...DEFAULT_FAULTS, ...options.faults, rules: (options.faults?.rules ?? []).map((r) => ({ ...r })) });
    const seed = options.seed ?? 20261123;
    const faults = new FaultInjector(faultSettings(), seededRandom(seed), seededRandom(seed ^ 0x5bd1e995));
    const throttle = new Throttle({ ...DEFAULT_THROTTLE, ...options.throttle });
    const store = new ProfileStore(options.stateFile);
    const initialGroups = (): Map<string, EmulatedGroup> =>
        new Map((options.groups ?? DEFAULT_GROUPS).map((g) => [g.id.toLowerCase(), { ...g, ownerAppIds: [...g.ownerAppIds] }]));
    const groups = initialGroups();
    const identity = new Identity(
        tenantId,
        options.apps ?? DEFAULT_APPS,
        tls.signingKeyPem,
        tls.signingPublicKeyPem,
        () => baseUrl,
        options.tokenLifetimeSeconds ?? 3600,
    );
    const serviceCtx = {
        store,
        clock,
        tenantId,
        groups,
        get behaviour() {
            return behaviour;
        },
        get faults() {
            return faults.settings;
        },
    };
    const service = new ProfileService(serviceCtx);
    const enterprise = new EnterpriseSettingsService(
        store,
        clock,
        () => behaviour,
        () => initialSettings(options.androidEnterprise, clock.now()),
    );
    const log: RecordedRequest[] = [];
    const recording = options.recordRequests ?? true;

    const control: EmulatorControl = {
        get url() {
            return baseUrl;
        },
        tenantId,
        now: () => clock.now(),
        clockOffset: () => clock.offset,
        setClockOffset: (ms) => clock.setOffset(ms),
        faults: () => faults.settings,
        setFaults: (patch) => {
            faults.settings = { ...faults.settings, ...patch, rules: [...(patch.rules ?? faults.settings.rules)] };
        },
        clearFaults: () => {
            faults.settings = { ...DEFAULT_FAULTS, rules: [] };
        },
        setThrottle: (patch) => {
            throttle.settings = { ...throttle.settings, ...patch };
            throttle.reset();
        },
        setBehaviour: (patch) => {
            behaviour = { ...behaviour, ...patch };
        },
        registerApp: (app) => identity.register(app),
        issueToken: (opts = {}) => identity.issueAccessToken(opts),
        requests: () => [...log],
        signIns: () => identity.tokenRequests,
        androidEnterprise: () => enterprise.current(),
        setAndroidEnterprise: (patch) => enterprise.change(patch),
        clearRequests: () => {
            log.length = 0;
        },
        profiles: (collection) => store.list(collection).map((p) => ({ ...p.entity })),
        async createInPortal(collection, fields) {
            const result = await service.handle({
                method: "POST",
                collection,
                query: new URLSearchParams(),
                body: JSON.stringify(fields),
                serviceRoot: `${baseUrl}/beta`,
                url: new URL(`${baseUrl}/beta/deviceManagement/${collection}`),
                appOnly: false,
            });
            const id = String((result.body as Entity).id);
            return { ...store.get(collection, id)!.entity };
        },
        changeInPortal(collection, id, fields) {
            const stored = store.get(collection, id);
            if (!stored) throw new Error(`no ${collection} profile ${id}`);
            const entity = { ...stored.entity, lastModifiedDateTime: graphTimestamp(clock.now()), ...fields };
            if (!store.replace({ ...stored, entity, previous: undefined })) throw new Error(`no ${collection} profile ${id}`);
            return { ...entity };
        },
        deleteInPortal: (collection, id) => store.delete(collection, id),
        groups: () => [...groups.values()].map((g) => ({ ...g, ownerAppIds: [...g.ownerAppIds] })),
        putGroup: (group) => {
            groups.set(group.id.toLowerCase(), { ...group, ownerAppIds: [...group.ownerAppIds] });
        },
        deleteGroup: (id) => groups.delete(id.toLowerCase()),
        membershipTarget(id) {
            const stored = store.get("androidDeviceOwnerEnrollmentProfiles", id);
            if (!stored) throw new Error(`no androidDeviceOwnerEnrollmentProfiles profile ${id}`);
            return stored.membershipTarget ? { ...stored.membershipTarget } : null;
        },
        setMembershipTargetInPortal(id, targetId) {
            const stored = store.get("androidDeviceOwnerEnrollmentProfiles", id);
            const membershipTarget = targetId === null ? undefined : { targetType: "staticSecurityGroup", targetId: targetId.toLowerCase() };
            if (!stored || !store.replace({ ...stored, membershipTarget })) throw new Error(`no androidDeviceOwnerEnrollmentProfiles profile ${id}`);
        },
        reset() {
            store.clear();
            groups.clear();
            for (const [id, g] of initialGroups()) groups.set(id, g);
            faults.settings = faultSettings(); // back to the faults and behaviour the emulator was started with
            behaviour = { ...DEFAULT_BEHAVIOUR, ...options.behaviour };
            throttle.reset();
            clock.setOffset(0);
            log.length = 0;
            identity.tokenRequests = 0;
        },
    };

    const handler = createHandler({
        clock,
        identity,
        service,
        enterprise,
        throttle,
        faults,
        behaviour: () => behaviour,
        baseUrl: () => baseUrl,
        record: (r) => {
            if (recording) log.push(r);
        },
        admin: (req, res, url, body) => adminRoute(control, req, res, url, body),
    });
    const credentials = { key: tls.keyPem, cert: tls.certPem, ca: tls.caPem };
    // Idle HTTP/1.1 connections close after 5 s, as Graph's front door closes them: clients must cope with reuse races.
    const server: Server | Http2SecureServer =
        options.http2 === false
            ? Object.assign(createServer(credentials, handler), { keepAliveTimeout: 5000 })
            : Object.assign(createSecureServer({ ...credentials, allowHTTP1: true, settings: { maxConcurrentStreams: MAX_CONCURRENT_STREAMS } }, handler), {
                  keepAliveTimeout: 5000,
              });
    const sockets = new Set<Socket>();
    server.on("connection", (s: Socket) => {
        sockets.add(s);
        s.on("close", () => sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(options.port ?? 0, host, () => resolve());
    });
    const port = (server.address() as AddressInfo).port;
    baseUrl = `https://${host.includes(":") ? `[${host}]` : host}:${port}`;
    const defaultApp = (options.apps ?? DEFAULT_APPS).find((a) => a.secret) as EmulatedApp & { secret: string };

    return Object.assign(control, {
        graphUrl: baseUrl,
        authorityHost: baseUrl,
        caPath: tls.caPath,
        caPem: tls.caPem,
        defaultApp,
        githubOidcRequestUrl: (subject: string) => `${baseUrl}/_github/oidc/token?subject=${encodeURIComponent(subject)}`,
        unref: () => {
            server.unref();
        },
        stop: () =>
            new Promise<void>((resolve) => {
                server.close(() => resolve());
                for (const s of sockets) s.destroy();
            }),
    }) as RunningEmulator;
}
