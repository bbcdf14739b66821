import { graphError, intuneError } from "./graphErrors";
import { Behaviour, EmulatedGroup, INTUNE_PROVISIONING_CLIENT_APP_ID } from "./options";
import { VALIDATION_ERROR_CODES } from "./metadata";
import { parseBody } from "./validation";
import type { StoredProfile } from "./store";
import type { ServiceResponse } from "./serviceResponse";

/**
 * Enrollment-time grouping on device-owner profiles: the three bound actions that put every device enrolled with a
 * profile straight into a static Entra ID security group. Set and retrieve both validate the group against the
 * tenant's directory and answer an enrollmentTimeDeviceMembershipTargetResult; a failed validation is a 200 with
 * `validationSucceeded: false`, not an HTTP error.
 */

export const MEMBERSHIP_TARGET_ACTIONS = [
    "setEnrollmentTimeDeviceMembershipTarget",
    "retrieveEnrollmentTimeDeviceMembershipTarget",
    "clearEnrollmentTimeDeviceMembershipTarget",
] as const;
export type MembershipTargetAction = (typeof MEMBERSHIP_TARGET_ACTIONS)[number];

export const isMembershipTargetAction = (name: string): name is MembershipTargetAction => (MEMBERSHIP_TARGET_ACTIONS as readonly string[]).includes(name);

export interface MembershipTargetRequest {
    stored: StoredProfile;
    body: string;
    groups: Map<string, EmulatedGroup>;
    behaviour: Behaviour;
    serviceRoot: string;
    save(next: StoredProfile): void;
}

interface ValidationStatus {
    targetId: string;
    validationSucceeded: boolean;
    targetValidationErrorCode: string;
}

/** What Intune checks about a group, in the order it reports the first failure. */
export function validateGroup(groups: Map<string, EmulatedGroup>, targetId: string): ValidationStatus {
    const group = groups.get(targetId.toLowerCase());
    const failed = (code: string): ValidationStatus => ({ targetId, validationSucceeded: false, targetValidationErrorCode: code });
    if (!group) return failed("securityGroupNotFound");
    if (!group.securityEnabled) return failed("notSecurityGroup");
    if (group.membership !== "static") return failed("notStaticSecurityGroup");
    if (!group.ownerAppIds.map((a) => a.toLowerCase()).includes(INTUNE_PROVISIONING_CLIENT_APP_ID)) return failed("firstPartyAppNotAnOwner");
    if (group.inCallerScope === false) return failed("securityGroupNotInCallerScope");
    // The documented enum has no "none": a passing target reports `unknown`.
    return { targetId, validationSucceeded: true, targetValidationErrorCode: "unknown" };
}

function result(req: MembershipTargetRequest, statuses: ValidationStatus[]): ServiceResponse {
    const spelt = (code: string): string | number => (req.behaviour.enumsAs === "number" ? (VALIDATION_ERROR_CODES as readonly string[]).indexOf(code) : code);
    const value = {
        validationSucceeded: statuses.every((s) => s.validationSucceeded),
        enrollmentTimeDeviceMembershipTargetValidationStatuses: statuses.map((s) => ({ ...s, targetValidationErrorCode: spelt(s.targetValidationErrorCode) })),
    };
    const context = `${req.serviceRoot}/$metadata#microsoft.graph.enrollmentTimeDeviceMembershipTargetResult`;
    return { status: 200, body: req.behaviour.membershipTargetResultWrapped ? { "@odata.context": context, value } : { "@odata.context": context, ...value } };
}

function parseTargets(body: string): { targetType: string; targetId: string }[] {
    const parsed = parseBody(body);
    for (const key of Object.keys(parsed)) {
        if (key !== "enrollmentTimeDeviceMembershipTargets") {
            throw graphError(
                400,
                "BadRequest",
                `The parameter '${key}' in the request payload is not a valid parameter for the operation 'setEnrollmentTimeDeviceMembershipTarget'.`,
            );
        }
    }
    const targets = parsed.enrollmentTimeDeviceMembershipTargets;
    if (!Array.isArray(targets)) throw graphError(400, "BadRequest", "The parameter 'enrollmentTimeDeviceMembershipTargets' is required.");
    if (targets.length !== 1) throw intuneError(400, "BadRequest", `Exactly one enrollment time device membership target is supported; got ${targets.length}.`);
    return targets.map((t: unknown) => {
        const target = (t ?? {}) as Record<string, unknown>;
        if (target.targetType !== "staticSecurityGroup") {
            throw intuneError(400, "BadRequest", `targetType '${String(target.targetType)}' is not supported; use 'staticSecurityGroup'.`);
        }
        if (typeof target.targetId !== "string" || !/^[0-9a-fA-F-]{36}$/.test(target.targetId)) {
            throw intuneError(400, "BadRequest", `targetId '${String(target.targetId)}' is not a valid group id.`);
        }
        return { targetType: target.targetType, targetId: target.targetId.toLowerCase() };
    });
}

export function membershipTargetAction(action: MembershipTargetAction, req: MembershipTargetRequest): ServiceResponse {
    switch (action) {
        case "setEnrollmentTimeDeviceMembershipTarget": {
            const targets = parseTargets(req.body);
            const statuses = targets.map((t) => validateGroup(req.groups, t.targetId));
            // A target that fails validation is not kept: the profile keeps what it had.
            if (statuses.every((s) => s.validationSucceeded)) req.save({ ...req.stored, membershipTarget: targets[0] });
            return result(req, statuses);
        }
        case "retrieveEnrollmentTimeDeviceMembershipTarget": {
            const target = req.stored.membershipTarget;
            // Validated again on every retrieve: the group may have been deleted or changed since it was set.
            return result(req, target ? [validateGroup(req.groups, target.targetId)] : []);
        }
        case "clearEnrollmentTimeDeviceMembershipTarget": {
            if (req.stored.membershipTarget) req.save({ ...req.stored, membershipTarget: undefined });
            return { status: 204 };
        }
    }
}
