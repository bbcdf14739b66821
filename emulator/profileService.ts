import { randomUUID } from "node:crypto";
import { Clock, graphTimestamp, NEVER_EXPIRES } from "./clock";
import { newTokenValue, qrCodeContent, qrCodeImage } from "./enrollmentToken";
import { graphError, intuneError, notFound } from "./graphErrors";
import { decodeSkipToken, encodeSkipToken, matches, parseFilter, parseSelect, parseTop } from "./odata";
import { MembershipTargetAction, membershipTargetAction } from "./membershipTarget";
import { Behaviour, EmulatedGroup, FaultSettings, REVOKE_REFUSAL_CODES } from "./options";
import {
    CollectionName,
    EmulatedProfileType,
    ENROLLMENT_MODES,
    PROFILE_TYPES,
    propertyOrder,
    TOKEN_TYPES,
    tokenRuleFor,
    TokenRule,
    WIFI_SECURITY_TYPES,
} from "./profileTypes";
import { Entity, ProfileStore, StoredProfile } from "./store";
import { acceptWritable, checkEntityRules, parseBody } from "./validation";
import type { ServiceResponse } from "./serviceResponse";

export type { ServiceResponse };

/** A token field value Intune returns for a profile that has never had a token (a non-nullable DateTimeOffset). */
const NO_DATE = "0001-01-01T00:00:00Z";

/** What a device-owner profile holds for every property the client did not send. */
const DEVICE_OWNER_DEFAULTS: Entity = {
    enrollmentMode: "corporateOwnedDedicatedDevice",
    enrollmentTokenType: "default",
    tokenCreationDateTime: NO_DATE,
    enrollmentTokenUsageCount: 0,
    roleScopeTagIds: ["0"],
    configureWifi: true,
    wifiSsid: null,
    wifiPassword: null,
    wifiSecurityType: "none",
    wifiHidden: false,
    isTeamsDeviceProfile: false,
    deviceNameTemplate: null,
};

export interface ServiceContext {
    store: ProfileStore;
    clock: Clock;
    behaviour: Behaviour;
    faults: FaultSettings;
    tenantId: string;
    groups: Map<string, EmulatedGroup>;
}

export interface ProfileRequest {
    method: string;
    collection: CollectionName;
    id?: string;
    action?: "createToken" | "revokeToken" | MembershipTargetAction;
    query: URLSearchParams;
    body: string;
    /** `https://host:port/beta`, for @odata.context and nextLink. */
    serviceRoot: string;
    /** The path and query as received, for nextLink. */
    url: URL;
    appOnly: boolean;
}

/** The Intune enrollment-profile service: what each route does to the store and what it answers. */
export class ProfileService {
    constructor(private readonly ctx: ServiceContext) {}

    async handle(req: ProfileRequest): Promise<ServiceResponse> {
        const type = PROFILE_TYPES[req.collection];
        if (req.action) {
            if (req.method !== "POST") throw methodNotAllowed(req.method);
            if (req.action === "createToken") return this.createToken(type, req);
            if (req.action === "revokeToken") return this.revokeToken(type, req);
            return this.membershipTarget(type, req, req.action);
        }
        if (req.id === undefined) {
            if (req.method === "GET") return this.list(type, req);
            if (req.method === "POST") return this.create(type, req);
            throw methodNotAllowed(req.method);
        }
        switch (req.method) {
            case "GET":
                return this.get(type, req);
            case "PATCH":
                return this.update(type, req);
            case "DELETE":
                return this.remove(type, req);
            default:
                throw methodNotAllowed(req.method);
        }
    }

    private now(): number {
        return this.ctx.clock.now();
    }

    private list(type: EmulatedProfileType, req: ProfileRequest): ServiceResponse {
        const select = parseSelect(req.query.get("$select"), propertyOrder(type), type.odataType.slice(1));
        const filter = parseFilter(req.query.get("$filter"), type.filterable);
        const top = parseTop(req.query.get("$top"));
        const offset = decodeSkipToken(req.query.get("$skiptoken"));
        const pageSize = Math.min(top ?? this.ctx.behaviour.maxPageSize, this.ctx.behaviour.maxPageSize);
        const realNow = Date.now();
        const visible = this.builtIns(type)
            .concat(this.ctx.store.list(type.collection))
            .filter((p) => !this.hiddenByConsistency(p, realNow))
            .map((p) => this.readVersion(p, realNow))
            .filter((e) => matches(e, filter))
            .sort((a, b) => String(a.createdDateTime).localeCompare(String(b.createdDateTime)) || String(a.id).localeCompare(String(b.id)));
        const page = visible.slice(offset, offset + pageSize);
        const body: Entity = {
            "@odata.context": `${req.serviceRoot}/$metadata#deviceManagement/${type.collection}${select ? `(${select.join(",")})` : ""}`,
            value: page.map((e) => this.represent(type, e, select, true)),
        };
        if (offset + pageSize < visible.length && pageSize > 0) {
            const next = new URL(req.url.toString());
            next.searchParams.set("$skiptoken", encodeSkipToken(offset + pageSize));
            if (top !== undefined) next.searchParams.set("$top", String(top));
            const link = this.ctx.behaviour.nextLinkOrigin === "graph" ? new URL(`${next.pathname}${next.search}`, "https://graph.microsoft.com") : next;
            body["@odata.nextLink"] = link.toString();
        }
        return { status: 200, body };
    }

    private get(type: EmulatedProfileType, req: ProfileRequest): ServiceResponse {
        const select = parseSelect(req.query.get("$select"), propertyOrder(type), type.odataType.slice(1));
        const stored = this.find(type, req.id!, true);
        const entity = this.readVersion(stored, Date.now());
        return {
            status: 200,
            body: {
                "@odata.context": `${req.serviceRoot}/$metadata#deviceManagement/${type.collection}${select ? `(${select.join(",")})` : ""}/$entity`,
                ...this.represent(type, entity, select, false),
            },
        };
    }

    private async create(type: EmulatedProfileType, req: ProfileRequest): Promise<ServiceResponse> {
        const body = parseBody(req.body);
        const fields = acceptWritable(type, body, this.ctx.behaviour);
        if (typeof fields.displayName !== "string" || fields.displayName.trim() === "") {
            throw intuneError(400, "BadRequest", "displayName is required and cannot be empty.");
        }
        const now = this.now();
        const stamp = graphTimestamp(now);
        const entity: Entity = {
            id: randomUUID(),
            accountId: this.ctx.tenantId,
            description: null,
            createdDateTime: stamp,
            lastModifiedDateTime: stamp,
            enrolledDeviceCount: 0,
            tokenValue: null,
            tokenExpirationDateTime: NO_DATE,
            qrCodeContent: null,
            qrCodeImage: null,
        };
        if (type.collection === "androidDeviceOwnerEnrollmentProfiles") {
            Object.assign(entity, DEVICE_OWNER_DEFAULTS);
        }
        Object.assign(entity, fields);
        checkEntityRules(entity);
        if (type.tokenOnCreate) {
            const rule = tokenRuleFor(type.collection, entity.enrollmentMode as string, entity.enrollmentTokenType as string);
            const asked = this.ctx.behaviour.createHonoursTokenExpiration ? body.tokenExpirationDateTime : undefined;
            const validity = asked === undefined || asked === null ? undefined : this.validityFromExpiry(asked, rule, now);
            await this.issueToken(type, entity, rule, validity, now);
        }
        const stored: StoredProfile = { collection: type.collection, entity, createdAt: Date.now() };
        this.ctx.store.put(stored);
        return {
            status: 201,
            body: {
                "@odata.context": `${req.serviceRoot}/$metadata#deviceManagement/${type.collection}/$entity`,
                ...this.represent(type, entity, undefined, false, true),
            },
        };
    }

    private async update(type: EmulatedProfileType, req: ProfileRequest): Promise<ServiceResponse> {
        const stored = this.find(type, req.id!, false);
        if (stored.builtIn) throw intuneError(400, "BadRequest", "The default enrollment profile cannot be modified.");
        const fields = acceptWritable(type, parseBody(req.body), this.ctx.behaviour);
        for (const prop of type.createOnly) {
            if (prop in fields && fields[prop] !== stored.entity[prop]) {
                throw intuneError(400, "BadRequest", `${prop} cannot be changed after the enrollment profile is created.`);
            }
        }
        if ("displayName" in fields && (typeof fields.displayName !== "string" || fields.displayName.trim() === "")) {
            throw intuneError(400, "BadRequest", "displayName is required and cannot be empty.");
        }
        const before = { ...stored.entity };
        const after: Entity = { ...stored.entity, ...fields, lastModifiedDateTime: graphTimestamp(this.now()) };
        checkEntityRules(after);
        if (typeof after.tokenValue === "string") {
            // The QR code embeds the Wi-Fi settings of AOSP profiles: a Wi-Fi change re-renders it.
            await this.renderQr(after, after.tokenValue);
        }
        const staleMs = this.ctx.faults.staleAfterPatchMs;
        const next: StoredProfile = {
            ...stored,
            entity: after,
            previous: staleMs > 0 ? { entity: before, until: Date.now() + staleMs } : undefined,
        };
        // Deleted meanwhile (by a request that overtook this one, or another process on the state file): stays deleted.
        if (!this.ctx.store.replace(next)) throw notFound();
        if (this.ctx.behaviour.patchReturnsEntity) {
            return {
                status: 200,
                body: {
                    "@odata.context": `${req.serviceRoot}/$metadata#deviceManagement/${type.collection}/$entity`,
                    ...this.represent(type, after, undefined, false),
                },
            };
        }
        return { status: 204 };
    }

    private remove(type: EmulatedProfileType, req: ProfileRequest): ServiceResponse {
        const stored = this.find(type, req.id!, false);
        if (stored.builtIn) throw intuneError(400, "BadRequest", "The default enrollment profile cannot be deleted.");
        if (!this.ctx.store.delete(type.collection, req.id!)) throw notFound();
        return { status: 204 };
    }

    private async createToken(type: EmulatedProfileType, req: ProfileRequest): Promise<ServiceResponse> {
        if (this.ctx.behaviour.appOnlyCreateTokenForbidden && req.appOnly) {
            throw intuneError(403, "Forbidden", "Application is not authorized to perform this operation: createToken requires a delegated (user) token.");
        }
        const stored = this.find(type, req.id!, false);
        if (stored.builtIn) throw intuneError(400, "BadRequest", "The default enrollment profile cannot be modified.");
        const body = parseBody(req.body);
        for (const prop of Object.keys(body)) {
            if (prop !== "tokenValidityInSeconds") {
                throw graphError(400, "BadRequest", `The parameter '${prop}' in the request payload is not a valid parameter for the operation 'createToken'.`);
            }
        }
        const rule = tokenRuleFor(type.collection, stored.entity.enrollmentMode as string, stored.entity.enrollmentTokenType as string);
        const raw = body.tokenValidityInSeconds;
        if ((raw === undefined || raw === null) && this.ctx.behaviour.createTokenRequiresValidity) {
            throw graphError(400, "BadRequest", "The parameter 'tokenValidityInSeconds' is required.");
        }
        let validity: number | undefined;
        if (raw !== undefined && raw !== null) {
            if (typeof raw !== "number" || !Number.isInteger(raw) || raw > 2147483647) {
                throw graphError(400, "BadRequest", `Cannot convert the literal '${JSON.stringify(raw)}' to the expected type 'Edm.Int32'.`);
            }
            validity = raw;
            if (rule.expires) this.checkValidity(validity, rule);
        }
        const entity: Entity = { ...stored.entity, lastModifiedDateTime: graphTimestamp(this.now()) };
        await this.issueToken(type, entity, rule, validity, this.now());
        if (!this.ctx.store.replace({ ...stored, entity, previous: undefined })) throw notFound();
        return { status: 204 };
    }

    private async revokeToken(type: EmulatedProfileType, req: ProfileRequest): Promise<ServiceResponse> {
        const stored = this.find(type, req.id!, false);
        if (stored.builtIn) throw intuneError(400, "BadRequest", "The default enrollment profile cannot be modified.");
        const rule = tokenRuleFor(type.collection, stored.entity.enrollmentMode as string, stored.entity.enrollmentTokenType as string);
        if (!rule.expires && this.ctx.behaviour.revokeNeverExpiringToken === "refuse") {
            const status = this.ctx.behaviour.revokeRefusalStatus;
            throw intuneError(status, REVOKE_REFUSAL_CODES[status], "Revoking the enrollment token is not supported for this enrollment profile type.");
        }
        const now = this.now();
        const entity: Entity = { ...stored.entity, lastModifiedDateTime: graphTimestamp(now) };
        if (typeof entity.tokenValue === "string") {
            entity.tokenExpirationDateTime = graphTimestamp(now);
            if (this.ctx.behaviour.revokeClearsToken) {
                Object.assign(entity, { tokenValue: null, qrCodeContent: null, qrCodeImage: null });
            }
        }
        if (!this.ctx.store.replace({ ...stored, entity, previous: undefined })) throw notFound();
        return { status: 204 };
    }

    private membershipTarget(type: EmulatedProfileType, req: ProfileRequest, action: MembershipTargetAction): ServiceResponse {
        const stored = this.find(type, req.id!, action === "retrieveEnrollmentTimeDeviceMembershipTarget");
        if (stored.builtIn) throw intuneError(400, "BadRequest", "The default enrollment profile cannot be modified.");
        return membershipTargetAction(action, {
            stored,
            body: req.body,
            groups: this.ctx.groups,
            behaviour: this.ctx.behaviour,
            serviceRoot: req.serviceRoot,
            save: (next) => {
                if (!this.ctx.store.replace(next)) throw notFound();
            },
        });
    }

    private checkValidity(seconds: number, rule: TokenRule): void {
        if (seconds < 1 || seconds > rule.maxValiditySeconds) {
            throw intuneError(400, "BadRequest", `tokenValidityInSeconds must be between 1 and ${rule.maxValiditySeconds} for this enrollment profile.`);
        }
    }

    private validityFromExpiry(raw: unknown, rule: TokenRule, now: number): number | undefined {
        const at = typeof raw === "string" ? Date.parse(raw) : NaN;
        if (isNaN(at)) {
            throw graphError(400, "BadRequest", `Cannot convert the literal '${JSON.stringify(raw)}' to the expected type 'Edm.DateTimeOffset'.`);
        }
        if (!rule.expires) return undefined;
        const seconds = Math.round((at - now) / 1000);
        this.checkValidity(seconds, rule);
        return seconds;
    }

    private async issueToken(type: EmulatedProfileType, entity: Entity, rule: TokenRule, validity: number | undefined, now: number): Promise<void> {
        const token = newTokenValue(rule);
        entity.tokenValue = token;
        entity.tokenExpirationDateTime = rule.expires ? graphTimestamp(now + 1000 * (validity ?? rule.defaultValiditySeconds)) : NEVER_EXPIRES;
        if (type.serverOwned.includes("tokenCreationDateTime")) entity.tokenCreationDateTime = graphTimestamp(now);
        if (type.serverOwned.includes("enrollmentTokenUsageCount")) entity.enrollmentTokenUsageCount = 0;
        await this.renderQr(entity, token);
    }

    private async renderQr(entity: Entity, token: string): Promise<void> {
        const content = qrCodeContent(
            token,
            entity.enrollmentMode as string | undefined,
            {
                configureWifi: entity.configureWifi as boolean | undefined,
                wifiSsid: (entity.wifiSsid ?? undefined) as string | undefined,
                wifiPassword: (entity.wifiPassword ?? undefined) as string | undefined,
                wifiSecurityType: entity.wifiSecurityType as string | undefined,
                wifiHidden: entity.wifiHidden as boolean | undefined,
            },
            this.ctx.behaviour.gmsQrContentBase64,
        );
        entity.qrCodeContent = content;
        entity.qrCodeImage = await qrCodeImage(content);
    }

    /** A profile by id, or the Intune 404. `forRead` applies the eventual-consistency window (writes too, if set so). */
    private find(type: EmulatedProfileType, id: string, forRead: boolean): StoredProfile {
        const builtIn = this.builtIns(type).find((p) => String(p.entity.id) === id.toLowerCase());
        if (builtIn) return builtIn;
        const stored = this.ctx.store.get(type.collection, id);
        const windowApplies = forRead || this.ctx.faults.notFoundAfterCreateOnWrites;
        if (!stored || (windowApplies && this.hiddenByConsistency(stored, Date.now()))) throw notFound();
        return stored;
    }

    private hiddenByConsistency(p: StoredProfile, realNow: number): boolean {
        return this.ctx.faults.notFoundAfterCreateMs > 0 && realNow - p.createdAt < this.ctx.faults.notFoundAfterCreateMs;
    }

    private readVersion(p: StoredProfile, realNow: number): Entity {
        return p.previous && p.previous.until > realNow ? p.previous.entity : p.entity;
    }

    /** The profile as the wire shows it: ordered properties, token fields per $select, wifiPassword per switch. */
    private represent(type: EmulatedProfileType, entity: Entity, select: string[] | undefined, inList: boolean, created = false): Entity {
        const out: Entity = { "@odata.type": type.odataType };
        const props = select ?? propertyOrder(type);
        if (select && !select.includes("id")) out.id = entity.id;
        const behaviour = this.ctx.behaviour;
        const showTokenFields = inList
            ? select !== undefined && behaviour.listTokenFields === "whenSelected"
            : created || select !== undefined || behaviour.tokenFieldsOnGet;
        for (const p of props) {
            let value = entity[p] ?? null;
            if (type.selectOnly.includes(p) && !showTokenFields) value = null;
            if (p === "tokenExpirationDateTime" && value === NEVER_EXPIRES) {
                const reading = behaviour.neverExpiringTokenExpiry;
                if (reading === "absent") continue;
                value = reading === "null" ? null : reading === "minDate" ? NO_DATE : NEVER_EXPIRES;
            }
            if (behaviour.enumsAs === "number" && typeof value === "string" && p in ENUM_NUMBERS) {
                value = ENUM_NUMBERS[p][value] ?? value;
            }
            if (p === "wifiPassword") {
                const mode = this.ctx.behaviour.wifiPasswordOnRead;
                if (mode === "omit") continue;
                if (mode === "null") value = null;
            }
            out[p] = value;
        }
        return out;
    }

    private builtIns(type: EmulatedProfileType): StoredProfile[] {
        if (!this.ctx.behaviour.builtInProfile || type.collection !== "androidDeviceOwnerEnrollmentProfiles") return [];
        const stamp = "2023-01-01T00:00:00.0000000Z";
        return [
            {
                collection: type.collection,
                builtIn: true,
                createdAt: 0,
                entity: {
                    id: "00000000-0000-0000-0000-000000000005",
                    accountId: this.ctx.tenantId,
                    displayName: "Default AOSP profile",
                    description: "Built-in profile",
                    ...DEVICE_OWNER_DEFAULTS,
                    enrollmentMode: this.ctx.behaviour.builtInModeAs === "number" ? 5 : "5",
                    createdDateTime: stamp,
                    lastModifiedDateTime: stamp,
                    tokenValue: null,
                    tokenExpirationDateTime: NO_DATE,
                    enrolledDeviceCount: 0,
                    qrCodeContent: null,
                    qrCodeImage: null,
                    configureWifi: false,
                },
            },
        ];
    }
}

function methodNotAllowed(method: string): Error {
    return graphError(405, "BadRequest", `The requested resource does not support http method '${method}'.`);
}

/** The integer of each enumeration member, by property, for `enumsAs: "number"`. */
const ENUM_NUMBERS: Record<string, Record<string, number>> = {
    enrollmentMode: ENROLLMENT_MODES,
    enrollmentTokenType: TOKEN_TYPES,
    wifiSecurityType: WIFI_SECURITY_TYPES,
};
