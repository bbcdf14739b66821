import { intuneError, graphError } from "./graphErrors";
import { isNonNullable, propertyType } from "./metadata";
import { Behaviour } from "./options";
import { EmulatedProfileType, ENROLLMENT_MODES, TOKEN_TYPES, TOKEN_TYPES_BY_MODE, WIFI_SECURITY_TYPES, EnrollmentMode } from "./profileTypes";
import { Entity } from "./store";

/** What the service accepts in a create or update body, and how it answers what it does not. */

const MAX_DEVICE_NAME_TEMPLATE = 63;

function enumValue(map: Record<string, number>, enumName: string, property: string, value: unknown): string {
    if (typeof value === "number" && Number.isInteger(value)) {
        const name = Object.keys(map).find((k) => map[k] === value);
        if (name) return name;
    }
    if (typeof value === "string" && Object.prototype.hasOwnProperty.call(map, value)) return value;
    throw graphError(
        400,
        "BadRequest",
        `Cannot convert the literal '${String(value)}' to the expected type 'microsoft.graph.${enumName}' for property '${property}'.`,
    );
}

function expect(type: string, property: string, value: unknown, ok: boolean): void {
    if (!ok) {
        throw graphError(400, "BadRequest", `Cannot convert the literal '${JSON.stringify(value)}' to the expected type '${type}' for property '${property}'.`);
    }
}

/** Parses a JSON body, answering malformed JSON as Graph does. */
export function parseBody(text: string): Entity {
    let parsed: unknown;
    try {
        parsed = text.trim() === "" ? {} : JSON.parse(text);
    } catch {
        throw graphError(
            400,
            "BadRequest",
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
        );
    }
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        throw graphError(
            400,
            "BadRequest",
            "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.",
        );
    }
    return parsed as Entity;
}

/**
 * Checks one body against the type, and returns the writable properties normalised (enums as names). Read-only
 * properties are dropped or refused per `behaviour`; properties the type does not have are refused as Graph's OData
 * layer does.
 */
export function acceptWritable(type: EmulatedProfileType, body: Entity, behaviour: Behaviour): Entity {
    const typeName = type.odataType.slice(1);
    const out: Entity = {};
    for (const [prop, value] of Object.entries(body)) {
        if (prop === "@odata.type") {
            if (typeof value !== "string" || value.replace(/^#/, "") !== typeName) {
                throw graphError(
                    400,
                    "BadRequest",
                    `A type named '${String(value)}' could not be resolved by the model. When a model is available, each type name must resolve to a valid type.`,
                );
            }
            continue;
        }
        if (prop.startsWith("@odata.") || prop.includes("@odata.")) continue;
        if (type.serverOwned.includes(prop)) {
            if (behaviour.readOnlyPropertiesInBody === "reject") {
                // Intune's front end may answer with its generic wording, naming no property.
                if (behaviour.refusalWording === "unusual") throw intuneError(400, "BadRequest", "An error has occurred");
                throw graphError(400, "BadRequest", `The property '${prop}' is read-only and cannot be set.`);
            }
            continue;
        }
        if (!type.writable.includes(prop)) {
            throw graphError(
                400,
                "BadRequest",
                `The property '${prop}' does not exist on type '${typeName}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
            );
        }
        if (value === null && isNonNullable(typeName.replace(/^microsoft\.graph\./, ""), prop)) {
            const edmType = propertyType(typeName.replace(/^microsoft\.graph\./, ""), prop)!.type.replace(/^graph\./, "microsoft.graph.");
            throw graphError(
                400,
                "BadRequest",
                `A null value was found for the property named '${prop}', which has the expected type '${edmType}[Nullable=False]'. The expected type '${edmType}[Nullable=False]' does not allow null values.`,
            );
        }
        out[prop] = normalise(prop, value);
    }
    return out;
}

function normalise(prop: string, value: unknown): unknown {
    if (value === null) return null;
    switch (prop) {
        case "displayName":
        case "description":
        case "wifiSsid":
        case "wifiPassword":
        case "deviceNameTemplate":
            expect("Edm.String", prop, value, typeof value === "string");
            if (prop === "deviceNameTemplate" && (value as string).length > MAX_DEVICE_NAME_TEMPLATE) {
                throw intuneError(400, "BadRequest", `deviceNameTemplate must be at most ${MAX_DEVICE_NAME_TEMPLATE} characters long.`);
            }
            return value;
        case "configureWifi":
        case "wifiHidden":
        case "isTeamsDeviceProfile":
            expect("Edm.Boolean", prop, value, typeof value === "boolean");
            return value;
        case "roleScopeTagIds":
            expect("Collection(Edm.String)", prop, value, Array.isArray(value) && value.every((v) => typeof v === "string"));
            return value;
        case "enrollmentMode":
            return enumValue(ENROLLMENT_MODES, "androidDeviceOwnerEnrollmentMode", prop, value);
        case "enrollmentTokenType":
            return enumValue(TOKEN_TYPES, "androidDeviceOwnerEnrollmentTokenType", prop, value);
        case "wifiSecurityType":
            return enumValue(WIFI_SECURITY_TYPES, "aospWifiSecurityType", prop, value);
        default:
            return value;
    }
}

/** Rules that span properties, checked on the entity as it would be after the write. */
export function checkEntityRules(entity: Entity): void {
    const mode = entity.enrollmentMode as EnrollmentMode | undefined;
    if (mode === undefined) return;
    const tokenType = (entity.enrollmentTokenType ?? "default") as string;
    const allowed = TOKEN_TYPES_BY_MODE[mode];
    if (allowed && !allowed.includes(tokenType as never)) {
        throw intuneError(400, "BadRequest", `Enrollment token type '${tokenType}' is not supported for enrollment mode '${mode}'.`);
    }
}
