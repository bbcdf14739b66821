import * as t from "io-ts";
import { isLeft } from "fp-ts/Either";
import { GraphRequestError, Operation } from "../graph/errors";
import { ProfileAttachment } from "./kind";
import type { ProfileContext } from "./context";
import { ProfileError } from "./errors";
import { shownValue } from "./decodeErrors";
import { enumNameOnTheWire, nullable, Props } from "./model";
import { ProfileKind } from "./kind";

/**
 * Enrollment-time grouping: every device enrolled with a device-owner profile goes straight into a static Entra ID
 * security group, so what is assigned to that group arrives during setup. Kept beside the profile through three
 * bound actions (set, retrieve, clear), not in the entity. Intune validates the group on set and on retrieve and
 * answers `validationSucceeded: false` with a code; each code becomes an error that says what to fix.
 */

/** The input: the object id of the static security group. */
export const GROUP_INPUT = "enrollmentTimeDeviceGroupId";
/** The output: what the service reports for the profile's target (null: none). */
export const TARGET_OUTPUT = "enrollmentTimeDeviceMembershipTarget";

/** Microsoft's first-party "Intune Provisioning Client" application; its service principal must own the group. */
export const INTUNE_PROVISIONING_CLIENT_APP_ID = "f1346770-5b25-470b-88bd-d5744ab7952c";

export const GroupId = t.refinement(
    t.string,
    (s) => /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/.test(s),
    "an Entra ID group object id (GUID)",
);

/**
 * The output's shape: the target as the service last reported it. `targetValidationErrorCode` is `unknown` for a
 * target that passes (the documented enum has no "none").
 */
export const MembershipTargetReport = t.type(
    { targetId: t.string, validationSucceeded: t.boolean, targetValidationErrorCode: t.string },
    "MembershipTargetReport",
);
export type MembershipTargetReport = t.TypeOf<typeof MembershipTargetReport>;

/** enrollmentTimeDeviceMembershipTargetValidationErrorCode's members, in the order of their integers. */
export const VALIDATION_ERROR_CODES = [
    "unknown",
    "securityGroupNotFound",
    "notSecurityGroup",
    "notStaticSecurityGroup",
    "firstPartyAppNotAnOwner",
    "securityGroupNotInCallerScope",
];

const Status = t.partial({
    targetId: nullable(t.string),
    validationSucceeded: nullable(t.boolean),
    targetValidationErrorCode: nullable(enumNameOnTheWire(VALIDATION_ERROR_CODES, "enrollmentTimeDeviceMembershipTargetValidationErrorCode")),
});
const Result = t.intersection([
    t.type({ validationSucceeded: t.boolean }),
    t.partial({ enrollmentTimeDeviceMembershipTargetValidationStatuses: nullable(t.array(Status)) }),
]);
type Result = t.TypeOf<typeof Result>;

/** What each validation failure means and what to do about it. */
const FIXES: Record<string, (group: string) => string> = {
    securityGroupNotFound: (g) =>
        `group ${g} does not exist in this tenant (or Entra ID has not replicated it yet): check the id, create the group first, or retry in a few minutes`,
    notSecurityGroup: (g) => `group ${g} is not a security group (a Microsoft 365 or distribution group?): use a group with securityEnabled true`,
    notStaticSecurityGroup: (g) =>
        `group ${g} has dynamic membership: enrollment-time grouping needs a security group with assigned (static) membership; keep dynamic rules in a separate group`,
    firstPartyAppNotAnOwner: (g) =>
        `the Intune Provisioning Client service principal (appId ${INTUNE_PROVISIONING_CLIENT_APP_ID}) is not an owner of group ${g}: add it as an owner of the group (in Entra ID, or the group's owners in code)`,
    securityGroupNotInCallerScope: (g) =>
        `group ${g} is outside the scope of the identity that signs in (its Intune role's scope tags or administrative units): use a group within that scope, or widen the role's scope`,
};

function failureReason(group: string, code: string | null | undefined): string {
    const fix = code ? FIXES[code] : undefined;
    if (fix) return `${fix(group)} (targetValidationErrorCode ${code})`;
    return `Intune refused group ${group} without saying why (targetValidationErrorCode ${code ?? "missing"}): check that it is a static security group owned by the Intune Provisioning Client service principal (appId ${INTUNE_PROVISIONING_CLIENT_APP_ID})`;
}

const nameOf = (props: Props): string => (typeof props.displayName === "string" ? props.displayName : "?");
const path = (kind: ProfileKind, id: string, action: string): string => `${kind.collectionPath}/${encodeURIComponent(id)}/${action}`;
const op = (kind: ProfileKind, verb: string, props: Props, write: boolean): Operation => ({
    description: `${verb} the enrollment-time device group of ${kind.label} "${nameOf(props)}"`,
    kind: write ? "write" : "read",
});

/** The result bare or wrapped in `{"value": {...}}` (the documented example wraps it; whether the service does is unconfirmed). */
export function decodeResult(body: unknown, operation: Operation): Result {
    const inner =
        typeof body === "object" &&
        body !== null &&
        !Array.isArray(body) &&
        typeof (body as { value?: unknown }).value === "object" &&
        (body as { value?: unknown }).value !== null
            ? (body as { value: unknown }).value
            : body;
    const decoded = Result.decode(inner);
    if (isLeft(decoded)) {
        throw new ProfileError(
            `${operation.description} failed: Graph answered with a result that does not decode (expected validationSucceeded and enrollmentTimeDeviceMembershipTargetValidationStatuses), got ${shownValue(body, false)}. The API may have changed; please report this message`,
        );
    }
    return decoded.right;
}

async function post(ctx: ProfileContext, operation: Operation, url: string, body?: unknown): Promise<unknown> {
    return (await ctx.client.request(operation, "POST", ctx.client.url(url), body ?? {})).body;
}

function report(result: Result, fallbackId: string | undefined): MembershipTargetReport | null {
    const status = result.enrollmentTimeDeviceMembershipTargetValidationStatuses?.[0];
    const targetId = status?.targetId ?? fallbackId;
    if (!targetId) return null;
    return {
        targetId: targetId.toLowerCase(),
        validationSucceeded: status?.validationSucceeded ?? result.validationSucceeded,
        targetValidationErrorCode: status?.targetValidationErrorCode ?? "unknown",
    };
}

/** The service refused a grouping action (a tenant that does not serve it yet, one that forbids it). */
function isRefusal(err: unknown): err is GraphRequestError {
    return err instanceof GraphRequestError && err.isRefusal;
}

const sameGroup = (a: unknown, b: unknown): boolean =>
    (typeof a === "string" ? a.toLowerCase() : (a ?? null)) === (typeof b === "string" ? b.toLowerCase() : (b ?? null));

export const enrollmentTimeGrouping: ProfileAttachment = {
    inputs: [GROUP_INPUT],
    outputs: {
        [TARGET_OUTPUT]: {
            codec: MembershipTargetReport,
            description:
                "The enrollment-time group as Intune last reported it (null: none): its id, whether it passed Intune's checks, and the code of the check it failed (`unknown` when it passed).",
        },
    },

    async apply(kind, ctx, id, olds, news) {
        const wanted = news[GROUP_INPUT];
        const had = olds[GROUP_INPUT];
        if (sameGroup(wanted, had)) return { [TARGET_OUTPUT]: olds[TARGET_OUTPUT] ?? null };
        if (typeof wanted !== "string") {
            // Removed from the program: the profile stops grouping devices at enrollment.
            await post(ctx, op(kind, "Clearing", news, true), path(kind, id, "clearEnrollmentTimeDeviceMembershipTarget"));
            return { [TARGET_OUTPUT]: null };
        }
        const setting = op(kind, "Setting", news, true);
        const body = { enrollmentTimeDeviceMembershipTargets: [{ targetType: "staticSecurityGroup", targetId: wanted }] };
        let answer: unknown;
        try {
            answer = await post(ctx, setting, path(kind, id, "setEnrollmentTimeDeviceMembershipTarget"), body);
        } catch (err) {
            // Judged by the call and its status: a tenant that does not serve the action words it as it likes. A 403
            // is about the permission, which the error already says.
            if (!isRefusal(err) || err.status === 403) throw err;
            throw new ProfileError(
                `${err.message}; this tenant may not offer enrollment-time grouping yet (Intune refused setEnrollmentTimeDeviceMembershipTarget): ` +
                    `remove ${GROUP_INPUT} from the program, or run again once the tenant offers it; the profile's enrollment-time group was left as it was`,
            );
        }
        const result = decodeResult(answer, setting);
        const failed = result.enrollmentTimeDeviceMembershipTargetValidationStatuses?.find((s) => s.validationSucceeded === false);
        if (!result.validationSucceeded || failed) {
            throw new ProfileError(
                `${setting.description} failed: ${failureReason(wanted, failed?.targetValidationErrorCode)}; the profile's enrollment-time group was left as it was`,
            );
        }
        return { [TARGET_OUTPUT]: report(result, wanted) };
    },

    async read(kind, ctx, id, recorded) {
        // Retrieve is a POST, counted against Intune's write budget: a profile that never declared a group is not asked.
        if (!(GROUP_INPUT in recorded) && !recorded[TARGET_OUTPUT]) return { values: { [TARGET_OUTPUT]: null } };
        const reading = op(kind, "Reading", recorded, false);
        let body: unknown;
        try {
            body = await post(ctx, reading, path(kind, id, "retrieveEnrollmentTimeDeviceMembershipTarget"));
        } catch (err) {
            // A tenant that does not serve retrieve yet, or refuses it: what the last set reported is the best
            // knowledge there is. Asked again on every refresh, so drift shows as soon as the tenant answers.
            if (!isRefusal(err)) throw err;
            return {
                values: { [TARGET_OUTPUT]: recorded[TARGET_OUTPUT] ?? null, [GROUP_INPUT]: recorded[GROUP_INPUT] },
                notices: [
                    `intune: ${kind.label} "${nameOf(recorded)}": Intune refused to report its enrollment-time group (${err.status} to retrieveEnrollmentTimeDeviceMembershipTarget), so what the last run set is kept; a change made in the portal shows once Intune answers`,
                ],
            };
        }
        const live = report(decodeResult(body, reading), undefined);
        const out: Props = { [TARGET_OUTPUT]: live };
        // Only a declared group is managed: one set in the portal on a profile that declares none stays unmanaged.
        // The declared spelling is kept while it names the same group, so letter case never shows as drift.
        if (GROUP_INPUT in recorded) out[GROUP_INPUT] = live && sameGroup(live.targetId, recorded[GROUP_INPUT]) ? recorded[GROUP_INPUT] : live?.targetId;
        return { values: out };
    },

    notices(kind, props) {
        const target = props[TARGET_OUTPUT] as MembershipTargetReport | null | undefined;
        if (!target || target.validationSucceeded !== false) return [];
        // Set once and since deleted, made dynamic or stripped of its owner: devices enrolling now join no group.
        return [
            `intune: ${kind.label} "${nameOf(props)}": its enrollment-time group no longer passes Intune's checks, so devices enrolling now are not added to it: ${failureReason(target.targetId, target.targetValidationErrorCode)}`,
        ];
    },
};
