import type { AndroidEnterpriseSettings } from "./androidEnterprise";
import { Behaviour, EmulatedApp, EmulatedGroup, FaultSettings, ThrottleSettings } from "./options";
import { CollectionName } from "./profileTypes";
import { RecordedRequest } from "./server";
import { Entity } from "./store";

/** What a test, the demo or the admin endpoint can do to a running emulator. */
export interface EmulatorControl {
    readonly url: string;
    readonly tenantId: string;
    now(): number;
    clockOffset(): number;
    setClockOffset(ms: number): void;
    faults(): FaultSettings;
    setFaults(patch: Partial<FaultSettings>): void;
    clearFaults(): void;
    setThrottle(patch: Partial<ThrottleSettings>): void;
    setBehaviour(patch: Partial<Behaviour>): void;
    registerApp(app: EmulatedApp): void;
    issueToken(opts?: { clientId?: string; roles?: string[]; lifetimeSeconds?: number; resource?: string; delegatedScopes?: string[] }): string;
    requests(): RecordedRequest[];
    /** How many requests reached the token endpoint (sign-ins tried), since start or the last reset. */
    signIns(): number;
    /** The tenant's Android Enterprise settings as the service holds them (company codes' tokens included). */
    androidEnterprise(): Entity;
    /** A change made outside Graph: the binding made or removed in the admin center, the switch flipped there. */
    setAndroidEnterprise(patch: AndroidEnterpriseSettings): Entity;
    clearRequests(): void;
    /** Every stored profile with its secrets, as the service holds it. */
    profiles(collection: CollectionName): Entity[];
    /** A profile made in the Intune portal: created without going through Graph's auth and limits. */
    createInPortal(collection: CollectionName, fields: Entity): Promise<Entity>;
    /** A change made in the portal behind the provider's back; any property, server-owned ones included. */
    changeInPortal(collection: CollectionName, id: string, fields: Entity): Entity;
    deleteInPortal(collection: CollectionName, id: string): boolean;
    /** The tenant's Entra ID groups that enrollment-time grouping validates against. */
    groups(): EmulatedGroup[];
    /** Adds a group to the directory, or replaces the one with its id (a group changed in Entra ID). */
    putGroup(group: EmulatedGroup): void;
    deleteGroup(id: string): boolean;
    /** A device-owner profile's enrollment-time target as the service holds it (null: none). */
    membershipTarget(id: string): { targetType: string; targetId: string } | null;
    /** The target changed in the portal behind the provider's back (null clears it); not validated, as a stale target may not be. */
    setMembershipTargetInPortal(id: string, targetId: string | null): void;
    reset(): void;
}

export interface RunningEmulator extends EmulatorControl {
    /** Graph root: clients call `${graphUrl}/beta/...`. */
    readonly graphUrl: string;
    /** Entra ID authority host for @azure/identity (`authorityHost`). */
    readonly authorityHost: string;
    readonly caPath: string;
    readonly caPem: string;
    readonly defaultApp: EmulatedApp & { secret: string };
    /** ACTIONS_ID_TOKEN_REQUEST_URL for a GitHub Actions job whose OIDC subject is `subject`. */
    githubOidcRequestUrl(subject: string): string;
    stop(): Promise<void>;
    /** Let the process exit while the emulator still listens (an emulator embedded in another program). */
    unref(): void;
}
