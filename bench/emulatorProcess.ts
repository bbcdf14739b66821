import { BENCH_TLS_DIR, LATENCY, LIMITS, WINDOW_MS } from "./common";
import { ChildLink } from "./children";

/** The parent's handle on an emulator child (emulatorChild.ts). */

export interface EmulatorInfo {
    graphUrl: string;
    authorityHost: string;
    tenantId: string;
    caPath: string;
    caPem: string;
    clientId: string;
    clientSecret: string;
}

/** One Graph request as the emulator logged it. */
export interface LoggedRequest {
    at: number;
    method: string;
    operation: string;
    status: number;
    path: string;
}

export interface ThrottlePatch {
    enabled?: boolean;
    windowMs?: number;
    appWrites?: number;
    appRequests?: number;
    tenantWrites?: number;
    tenantRequests?: number;
    retryAfter?: boolean;
}

/** Intune's limits in the scaled window. */
export const BENCH_THROTTLE: ThrottlePatch = { enabled: true, windowMs: WINDOW_MS, ...LIMITS, retryAfter: true };

export class EmulatorProcess {
    private constructor(
        private readonly link: ChildLink,
        readonly info: EmulatorInfo,
    ) {}

    /**
     * `tenantId`: the emulated tenant (several emulators at once play several tenants). `latency`: what each request
     * takes before it is served (the benchmark's setting unless given).
     */
    static async start(
        throttle: ThrottlePatch = BENCH_THROTTLE,
        tenantId?: string,
        latency: { latencyMs: number; jitterMs: number } = LATENCY,
    ): Promise<EmulatorProcess> {
        const link = ChildLink.fork("emulatorChild.js", "emulator", {
            BENCH_EMULATOR_OPTIONS: JSON.stringify({ tlsDir: BENCH_TLS_DIR, throttle, faults: latency, seed: 7, ...(tenantId ? { tenantId } : {}) }),
        });
        const ready = await link.next("ready");
        return new EmulatorProcess(link, ready.info as EmulatorInfo);
    }

    get pid(): number | undefined {
        return this.link.child.pid;
    }

    async requests(): Promise<LoggedRequest[]> {
        const { log } = await this.link.call("requests");
        return (log as [number, string, string, number, string][]).map(([at, method, operation, status, path]) => ({ at, method, operation, status, path }));
    }

    async clearRequests(): Promise<void> {
        await this.link.call("clearRequests");
    }

    /** Empty tenant, empty throttle windows, empty log. */
    async reset(): Promise<void> {
        await this.link.call("reset");
    }

    async setThrottle(patch: ThrottlePatch): Promise<void> {
        await this.link.call("setThrottle", patch);
    }

    async issueToken(): Promise<string> {
        return String((await this.link.call("issueToken")).token);
    }

    async profileCounts(): Promise<{ deviceOwner: number; forWork: number }> {
        const r = await this.link.call("profileCounts");
        return { deviceOwner: Number(r.deviceOwner), forWork: Number(r.forWork) };
    }

    stop(): Promise<void> {
        return this.link.stop();
    }
}
