#!/usr/bin/env node
import { parseArgs } from "node:util";
import { BIND_STATUSES, BindStatus, EmulatorCliInfo, startEmulator } from "./index";

/**
 * `npm run emulator`: a long-running local Graph for Intune Android enrollment profiles. Prints what a client needs
 * (URL, CA certificate, tenant, a sign-in and a ready token) and runs until interrupted.
 */
async function main(): Promise<void> {
    const { values } = parseArgs({
        options: {
            port: { type: "string", default: process.env.INTUNE_EMULATOR_PORT ?? "0" },
            host: { type: "string", default: "127.0.0.1" },
            "tenant-id": { type: "string" },
            "state-file": { type: "string" },
            "tls-dir": { type: "string" },
            "throttle-window-ms": { type: "string" },
            "no-throttle": { type: "boolean", default: false },
            "no-retry-after": { type: "boolean", default: false },
            "latency-ms": { type: "string" },
            "jitter-ms": { type: "string" },
            "not-found-after-create-ms": { type: "string" },
            "not-found-after-create-on-writes": { type: "boolean" },
            "patch-returns-entity": { type: "boolean", default: false },
            "built-in-profile": { type: "boolean", default: false },
            "no-http2": { type: "boolean", default: false },
            "bind-status": { type: "string" },
            "fully-managed-enrollment": { type: "string" },
            json: { type: "boolean", default: false },
            help: { type: "boolean", default: false },
        },
    });
    if (values.help) {
        console.log(`usage: npm run emulator -- [--port N] [--tenant-id GUID] [--state-file F] [--tls-dir D] [--throttle-window-ms MS]
       [--no-throttle] [--no-retry-after] [--latency-ms MS] [--jitter-ms MS] [--not-found-after-create-ms MS] [--not-found-after-create-on-writes]
       [--patch-returns-entity] [--built-in-profile] [--no-http2] [--bind-status notBound|bound|boundAndValidated|unbinding]
       [--fully-managed-enrollment on|off] [--json]`);
        return;
    }
    const num = (v: string | undefined, flag: string): number | undefined => {
        if (v === undefined) return undefined;
        const n = Number(v);
        if (v.trim() === "" || !Number.isFinite(n) || n < 0) throw new Error(`--${flag} must be a number of milliseconds, 0 or more (got "${v}")`);
        return n;
    };
    const bindStatus = values["bind-status"];
    if (bindStatus !== undefined && !(BIND_STATUSES as readonly string[]).includes(bindStatus))
        throw new Error(`--bind-status must be one of ${BIND_STATUSES.join(", ")} (got "${bindStatus}")`);
    const switchState = values["fully-managed-enrollment"];
    if (switchState !== undefined && switchState !== "on" && switchState !== "off")
        throw new Error(`--fully-managed-enrollment must be on or off (got "${switchState}")`);
    const emulator = await startEmulator({
        port: Number(values.port),
        host: values.host,
        tenantId: values["tenant-id"],
        stateFile: values["state-file"],
        tlsDir: values["tls-dir"],
        throttle: {
            ...(values["throttle-window-ms"] ? { windowMs: Number(values["throttle-window-ms"]) } : {}),
            enabled: !values["no-throttle"],
            retryAfter: !values["no-retry-after"],
        },
        faults: {
            latencyMs: num(values["latency-ms"], "latency-ms") ?? 0,
            jitterMs: num(values["jitter-ms"], "jitter-ms") ?? 0,
            notFoundAfterCreateMs: num(values["not-found-after-create-ms"], "not-found-after-create-ms") ?? 0,
            notFoundAfterCreateOnWrites: values["not-found-after-create-on-writes"] ?? false,
        },
        behaviour: { patchReturnsEntity: values["patch-returns-entity"], builtInProfile: values["built-in-profile"] },
        http2: !values["no-http2"],
        androidEnterprise: {
            ...(bindStatus ? { bindStatus: bindStatus as BindStatus } : {}),
            ...(switchState ? { androidDeviceOwnerFullyManagedEnrollmentEnabled: switchState === "on" } : {}),
        },
    });
    const token = emulator.issueToken({ clientId: emulator.defaultApp.clientId, lifetimeSeconds: 24 * 3600 });
    const info: EmulatorCliInfo = {
        url: emulator.url,
        graphUrl: `${emulator.graphUrl}/beta`,
        caCertificate: emulator.caPath,
        tenantId: emulator.tenantId,
        clientId: emulator.defaultApp.clientId,
        clientSecret: emulator.defaultApp.secret,
        accessToken: token,
        stateFile: values["state-file"] ?? null,
    };
    if (values.json) {
        console.log(JSON.stringify(info));
    } else {
        console.log(`Intune Graph emulator listening on ${info.url}
  Graph:          ${info.graphUrl}/deviceManagement/androidDeviceOwnerEnrollmentProfiles
  CA certificate: ${info.caCertificate}   (trust it: export NODE_EXTRA_CA_CERTS=${info.caCertificate})
  Tenant:         ${info.tenantId}
  Client id:      ${info.clientId}
  Client secret:  ${info.clientSecret}   (an emulator-only credential)
  Admin:          ${info.url}/_emulator/health
  State:          ${info.stateFile ?? "in memory"}
  Access token (24 h):
${token}`);
    }
    const stop = (): void => {
        void emulator.stop().then(() => process.exit(0));
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
}

main().catch((err: unknown) => {
    console.error(`emulator failed to start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
});
