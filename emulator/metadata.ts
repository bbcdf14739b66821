import { APP_SYNC_STATUSES, BIND_STATUSES, ENROLLMENT_TARGETS } from "./enterpriseSettingsShape";

/**
 * The part of Microsoft's published Graph beta metadata (msgraph-metadata, clean_beta_metadata, 2026-08) that covers
 * the two enrollment-profile types: their properties with type and nullability, the enums, and the bound actions
 * (enrollment-time grouping's three among them, with the complex types they take and answer).
 * Where this metadata decides a question, the emulator follows it rather than the friendliest reading: `null` for
 * a non-nullable property is refused, and createToken's `tokenValidityInSeconds` is required. `GET /beta/$metadata`
 * serves it as CSDL, and a test holds both the emulator's and the provider's models to it.
 */

/** enrollmentTimeDeviceMembershipTargetValidationErrorCode's members, in the order of their integers. */
export const VALIDATION_ERROR_CODES = [
    "unknown",
    "securityGroupNotFound",
    "notSecurityGroup",
    "notStaticSecurityGroup",
    "firstPartyAppNotAnOwner",
    "securityGroupNotInCallerScope",
    "unknownFutureValue",
] as const;

export interface MetadataProperty {
    name: string;
    /** EDM type: `Edm.String`, `graph.androidDeviceOwnerEnrollmentMode`, `Collection(Edm.String)`, … */
    type: string;
    nullable: boolean;
}

export interface MetadataEntityType {
    name: string;
    baseType: string;
    properties: MetadataProperty[];
}

export interface MetadataEnum {
    name: string;
    members: { name: string; value: number }[];
}

export interface MetadataAction {
    name: string;
    /** The entity type the action is bound to. */
    boundTo: string;
    parameters: MetadataProperty[];
    returnType?: string;
}

const prop = (name: string, type: string, nullable = true): MetadataProperty => ({ name, type, nullable });

const ENTITY_PROPERTIES = [prop("id", "Edm.String", false)];

/** The two enrollment-profile types (each with the token actions). */
export const PROFILE_ENTITY_TYPES: readonly MetadataEntityType[] = [
    {
        name: "androidDeviceOwnerEnrollmentProfile",
        baseType: "graph.entity",
        properties: [
            ...ENTITY_PROPERTIES,
            prop("accountId", "Edm.String"),
            prop("configureWifi", "Edm.Boolean", false),
            prop("createdDateTime", "Edm.DateTimeOffset", false),
            prop("description", "Edm.String"),
            prop("deviceNameTemplate", "Edm.String"),
            prop("displayName", "Edm.String"),
            prop("enrolledDeviceCount", "Edm.Int32", false),
            prop("enrollmentMode", "graph.androidDeviceOwnerEnrollmentMode", false),
            prop("enrollmentTokenType", "graph.androidDeviceOwnerEnrollmentTokenType", false),
            prop("enrollmentTokenUsageCount", "Edm.Int32", false),
            prop("isTeamsDeviceProfile", "Edm.Boolean", false),
            prop("lastModifiedDateTime", "Edm.DateTimeOffset", false),
            prop("qrCodeContent", "Edm.String"),
            prop("qrCodeImage", "graph.mimeContent"),
            prop("roleScopeTagIds", "Collection(Edm.String)"),
            prop("tokenCreationDateTime", "Edm.DateTimeOffset", false),
            prop("tokenExpirationDateTime", "Edm.DateTimeOffset", false),
            prop("tokenValue", "Edm.String"),
            prop("wifiHidden", "Edm.Boolean", false),
            prop("wifiPassword", "Edm.String"),
            prop("wifiSecurityType", "graph.aospWifiSecurityType", false),
            prop("wifiSsid", "Edm.String"),
        ],
    },
    {
        name: "androidForWorkEnrollmentProfile",
        baseType: "graph.entity",
        properties: [
            ...ENTITY_PROPERTIES,
            prop("accountId", "Edm.String"),
            prop("createdDateTime", "Edm.DateTimeOffset", false),
            prop("description", "Edm.String"),
            prop("displayName", "Edm.String"),
            prop("enrolledDeviceCount", "Edm.Int32", false),
            prop("lastModifiedDateTime", "Edm.DateTimeOffset", false),
            prop("qrCodeContent", "Edm.String"),
            prop("qrCodeImage", "graph.mimeContent"),
            prop("tokenExpirationDateTime", "Edm.DateTimeOffset", false),
            prop("tokenValue", "Edm.String"),
        ],
    },
];

/**
 * The tenant's Android Enterprise settings (a singleton, `deviceManagement/androidManagedStoreAccountEnterpriseSettings`):
 * its binding to managed Google Play and the switch for corporate-owned user enrollment decide whether devices of a
 * device-owner profile can enroll at all.
 */
export const ENTERPRISE_SETTINGS_ENTITY: MetadataEntityType = {
    name: "androidManagedStoreAccountEnterpriseSettings",
    baseType: "graph.entity",
    properties: [
        ...ENTITY_PROPERTIES,
        prop("androidDeviceOwnerFullyManagedEnrollmentEnabled", "Edm.Boolean", false),
        prop("bindStatus", "graph.androidManagedStoreAccountBindStatus", false),
        prop("companyCodes", "Collection(graph.androidEnrollmentCompanyCode)"),
        prop("deviceOwnerManagementEnabled", "Edm.Boolean", false),
        prop("enrollmentTarget", "graph.androidManagedStoreAccountEnrollmentTarget", false),
        prop("lastAppSyncDateTime", "Edm.DateTimeOffset", false),
        prop("lastAppSyncStatus", "graph.androidManagedStoreAccountAppSyncStatus", false),
        prop("lastModifiedDateTime", "Edm.DateTimeOffset", false),
        prop("managedGooglePlayInitialScopeTagIds", "Collection(Edm.String)"),
        prop("ownerOrganizationName", "Edm.String"),
        prop("ownerUserPrincipalName", "Edm.String"),
        prop("targetGroupIds", "Collection(Edm.String)"),
    ],
};

export const ENTITY_TYPES: readonly MetadataEntityType[] = [...PROFILE_ENTITY_TYPES, ENTERPRISE_SETTINGS_ENTITY];

export const ENUMS: readonly MetadataEnum[] = [
    {
        name: "androidDeviceOwnerEnrollmentMode",
        members: [
            { name: "corporateOwnedDedicatedDevice", value: 0 },
            { name: "corporateOwnedFullyManaged", value: 1 },
            { name: "corporateOwnedWorkProfile", value: 2 },
            { name: "corporateOwnedAOSPUserlessDevice", value: 3 },
            { name: "corporateOwnedAOSPUserAssociatedDevice", value: 4 },
        ],
    },
    {
        name: "androidDeviceOwnerEnrollmentTokenType",
        members: [
            { name: "default", value: 0 },
            { name: "corporateOwnedDedicatedDeviceWithAzureADSharedMode", value: 1 },
            { name: "deviceStaging", value: 2 },
        ],
    },
    {
        name: "aospWifiSecurityType",
        members: [
            { name: "none", value: 0 },
            { name: "wpa", value: 1 },
            { name: "wep", value: 2 },
        ],
    },
    {
        name: "androidManagedStoreAccountBindStatus",
        members: BIND_STATUSES.map((member, value) => ({ name: member, value })),
    },
    {
        name: "androidManagedStoreAccountAppSyncStatus",
        members: APP_SYNC_STATUSES.map((member, value) => ({ name: member, value })),
    },
    {
        name: "androidManagedStoreAccountEnrollmentTarget",
        members: ENROLLMENT_TARGETS.map((member, value) => ({ name: member, value })),
    },
    {
        name: "enrollmentTimeDeviceMembershipTargetType",
        members: [
            { name: "unknown", value: 0 },
            { name: "staticSecurityGroup", value: 1 },
            { name: "unknownFutureValue", value: 2 },
        ],
    },
    {
        name: "enrollmentTimeDeviceMembershipTargetValidationErrorCode",
        members: VALIDATION_ERROR_CODES.map((member, value) => ({ name: member, value })),
    },
];

export interface MetadataComplexType {
    name: string;
    properties: MetadataProperty[];
}

/** The shapes enrollment-time grouping's actions take and answer, and the settings' company codes. */
export const COMPLEX_TYPES: readonly MetadataComplexType[] = [
    {
        name: "androidEnrollmentCompanyCode",
        properties: [prop("enrollmentToken", "Edm.String"), prop("qrCodeContent", "Edm.String"), prop("qrCodeImage", "graph.mimeContent")],
    },
    {
        name: "enrollmentTimeDeviceMembershipTarget",
        properties: [prop("targetId", "Edm.String"), prop("targetType", "graph.enrollmentTimeDeviceMembershipTargetType", false)],
    },
    {
        name: "enrollmentTimeDeviceMembershipTargetResult",
        properties: [
            prop("enrollmentTimeDeviceMembershipTargetValidationStatuses", "Collection(graph.enrollmentTimeDeviceMembershipTargetStatus)"),
            prop("validationSucceeded", "Edm.Boolean", false),
        ],
    },
    {
        name: "enrollmentTimeDeviceMembershipTargetStatus",
        properties: [
            prop("targetId", "Edm.String"),
            prop("targetValidationErrorCode", "graph.enrollmentTimeDeviceMembershipTargetValidationErrorCode", false),
            prop("validationSucceeded", "Edm.Boolean", false),
        ],
    },
];

const MEMBERSHIP_RESULT = "graph.enrollmentTimeDeviceMembershipTargetResult";

export const ACTIONS: readonly MetadataAction[] = [
    ...PROFILE_ENTITY_TYPES.flatMap((type) => [
        { name: "createToken", boundTo: type.name, parameters: [prop("tokenValidityInSeconds", "Edm.Int32", false)] },
        { name: "revokeToken", boundTo: type.name, parameters: [] },
    ]),
    {
        name: "setEnrollmentTimeDeviceMembershipTarget",
        boundTo: "androidDeviceOwnerEnrollmentProfile",
        parameters: [prop("enrollmentTimeDeviceMembershipTargets", "Collection(graph.enrollmentTimeDeviceMembershipTarget)")],
        returnType: MEMBERSHIP_RESULT,
    },
    { name: "retrieveEnrollmentTimeDeviceMembershipTarget", boundTo: "androidDeviceOwnerEnrollmentProfile", parameters: [], returnType: MEMBERSHIP_RESULT },
    { name: "clearEnrollmentTimeDeviceMembershipTarget", boundTo: "androidDeviceOwnerEnrollmentProfile", parameters: [] },
    {
        name: "setAndroidDeviceOwnerFullyManagedEnrollmentState",
        boundTo: "androidManagedStoreAccountEnterpriseSettings",
        parameters: [prop("enabled", "Edm.Boolean", false)],
    },
];

export function entityType(name: string): MetadataEntityType {
    const found = ENTITY_TYPES.find((t) => t.name === name);
    if (!found) throw new Error(`no entity type ${name} in the metadata`);
    return found;
}

/** Whether the metadata forbids null for this property of this type. */
export function isNonNullable(typeName: string, property: string): boolean {
    return entityType(typeName).properties.some((p) => p.name === property && !p.nullable);
}

export function propertyType(typeName: string, property: string): MetadataProperty | undefined {
    return entityType(typeName).properties.find((p) => p.name === property);
}

const xmlAttr = (s: string): string => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
const edm = (type: string): string => type.replace(/\bgraph\./g, "microsoft.graph.");
const propertyXml = (p: MetadataProperty, tag = "Property"): string =>
    `<${tag} Name="${xmlAttr(p.name)}" Type="${xmlAttr(edm(p.type))}"${p.nullable ? "" : ' Nullable="false"'} />`;

/** The CSDL document `GET /beta/$metadata` answers (the part about the two profile types and the tenant's Android Enterprise settings). */
export function metadataXml(): string {
    const lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<edmx:Edmx Version="4.0" xmlns:edmx="http://docs.oasis-open.org/odata/ns/edmx">',
        "<edmx:DataServices>",
        '<Schema Namespace="microsoft.graph" Alias="graph" xmlns="http://docs.oasis-open.org/odata/ns/edm">',
        ...ENUMS.flatMap((e) => [`<EnumType Name="${e.name}">`, ...e.members.map((m) => `<Member Name="${m.name}" Value="${m.value}" />`), "</EnumType>"]),
        ...ENTITY_TYPES.flatMap((t) => [
            `<EntityType Name="${t.name}" BaseType="${edm(t.baseType)}">`,
            ...t.properties.filter((p) => p.name !== "id").map((p) => propertyXml(p)),
            "</EntityType>",
        ]),
        ...COMPLEX_TYPES.flatMap((t) => [`<ComplexType Name="${t.name}">`, ...t.properties.map((p) => propertyXml(p)), "</ComplexType>"]),
        ...ACTIONS.flatMap((a) => [
            `<Action Name="${a.name}" IsBound="true">`,
            `<Parameter Name="bindingParameter" Type="microsoft.graph.${a.boundTo}" />`,
            ...a.parameters.map((p) => propertyXml(p, "Parameter")),
            ...(a.returnType ? [`<ReturnType Type="${xmlAttr(edm(a.returnType))}" />`] : []),
            "</Action>",
        ]),
        "</Schema>",
        "</edmx:DataServices>",
        "</edmx:Edmx>",
    ];
    return `${lines.join("\n")}\n`;
}
