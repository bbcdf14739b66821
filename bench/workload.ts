/**
 * The workload the benchmark and the soak suite share: the profile mix a fleet rollout declares, and Intune's limits
 * with the window arithmetic. Plain data and arithmetic, no imports, so both suites compile it.
 */

/** Intune's real limits per app and per tenant, per window. */
export const LIMITS = { appWrites: 100, appRequests: 1000, tenantWrites: 200, tenantRequests: 2000 } as const;

export type Props = Record<string, unknown>;
export type KindName = "deviceOwner" | "forWork";

/** One profile of the rollout: what a program declares, and what Graph work it needs at minimum. */
export interface ProfileSpec {
    index: number;
    kind: KindName;
    /** The resource arguments, as a Pulumi program passes them (and as `check` receives them). */
    args: Props;
    /** True when the create does not hand out the token: a createToken call and a read to learn the token follow. */
    needsTokenCall: boolean;
}

const DEVICE_OWNER_MIX: Props[] = [
    { enrollmentMode: "corporateOwnedDedicatedDevice", tokenValidityDays: 90, renewTokenWithinDays: 14 },
    { enrollmentMode: "corporateOwnedFullyManaged" },
    { enrollmentMode: "corporateOwnedWorkProfile", enrollmentTokenType: "deviceStaging", tokenValidityDays: 30 },
    {
        enrollmentMode: "corporateOwnedAOSPUserlessDevice",
        tokenValidityDays: 60,
        wifiSsid: "Contoso-Devices",
        wifiSecurityType: "wpa",
        wifiPassword: "bench-wifi-passphrase-42",
    },
    { enrollmentMode: "corporateOwnedAOSPUserAssociatedDevice" },
    { enrollmentMode: "corporateOwnedDedicatedDevice", description: "kiosk" },
    { enrollmentMode: "corporateOwnedFullyManaged", roleScopeTagIds: ["0"] },
    { enrollmentMode: "corporateOwnedWorkProfile" },
];

/**
 * The mix, in cycles of ten: eight device-owner profiles over every enrollment mode (the token comes with the
 * create) and two legacy Android for Work profiles (created without a token: createToken, then a read to learn it).
 */
export function profileSpecs(n: number, prefix: string): ProfileSpec[] {
    const specs: ProfileSpec[] = [];
    for (let i = 0; i < n; i++) {
        const slot = i % 10;
        const name = `${prefix} ${String(i).padStart(4, "0")}`;
        if (slot < 8) specs.push({ index: i, kind: "deviceOwner", args: { displayName: name, ...DEVICE_OWNER_MIX[slot] }, needsTokenCall: false });
        else specs.push({ index: i, kind: "forWork", args: { displayName: name, tokenValidityDays: 90 }, needsTokenCall: true });
    }
    return specs;
}

/**
 * Sliding window of W ms admitting L requests: a request is admitted at t when fewer than L were admitted in
 * (t - W, t]. The fastest schedule sends L at t = 0, the next L at t = W (the first L leave the window exactly
 * then), ... so the k-th request (1-based) cannot go before floor((k - 1) / L) * W, and the last of n not before
 * (ceil(n / L) - 1) * W = ceil(n / L - 1) * W. Writes and all requests are separate windows; the slower decides.
 */
export function windowTerm(n: number, limit: number, windowMs: number): number {
    return n <= 0 ? 0 : (Math.ceil(n / limit) - 1) * windowMs;
}
