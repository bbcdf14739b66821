import { EMULATOR_STATE_FILE_ERROR, EmulatorRequest, EmulatorResponse, sendJson } from "./server";
import { EmulatorStateError } from "./store";
import type { EmulatorControl } from "./control";
import { isCollection } from "./profileTypes";
import { EmulatedGroup } from "./options";

/** A group as the admin route receives it: id, security, membership and owners are required, nothing guessed. */
function groupFrom(input: Record<string, unknown>): EmulatedGroup {
    const { id, displayName, securityEnabled, membership, ownerAppIds, inCallerScope } = input;
    if (typeof id !== "string" || !/^[0-9a-fA-F-]{36}$/.test(id)) throw new Error("id must be a group id (GUID)");
    if (typeof securityEnabled !== "boolean") throw new Error("securityEnabled must be true or false");
    if (membership !== "static" && membership !== "dynamic") throw new Error('membership must be "static" or "dynamic"');
    if (!Array.isArray(ownerAppIds) || !ownerAppIds.every((a) => typeof a === "string")) throw new Error("ownerAppIds must be a list of app ids");
    if (inCallerScope !== undefined && typeof inCallerScope !== "boolean") throw new Error("inCallerScope must be true or false");
    return { id, displayName: typeof displayName === "string" ? displayName : id, securityEnabled, membership, ownerAppIds, inCallerScope };
}

/**
 * The emulator's control surface over HTTP, for processes that did not start it (the Pulumi engine's tests, the
 * demo): faults, limits, switches, the clock, and changes made "in the portal" behind the provider's back.
 * Loopback only, no auth: it stands for Microsoft's own back office, not for Graph.
 */
export async function adminRoute(control: EmulatorControl, req: EmulatorRequest, res: EmulatorResponse, url: URL, body: string): Promise<void> {
    const method = (req.method ?? "GET").toUpperCase();
    const path = url.pathname.replace(/^\/_emulator/, "");
    let input: Record<string, unknown>;
    try {
        input = body.trim() ? (JSON.parse(body) as Record<string, unknown>) : {};
    } catch {
        return sendJson(res, 400, { error: "body must be JSON" });
    }
    const seg = path.split("/").filter(Boolean);
    try {
        switch (`${method} /${seg[0] ?? ""}`) {
            case "GET /health":
                return sendJson(res, 200, { ok: true, url: control.url, tenantId: control.tenantId });
            case "POST /reset":
                control.reset();
                return sendJson(res, 204, undefined);
            case "GET /faults":
                return sendJson(res, 200, control.faults());
            case "PATCH /faults":
            case "POST /faults":
                control.setFaults(input);
                return sendJson(res, 200, control.faults());
            case "DELETE /faults":
                control.clearFaults();
                return sendJson(res, 204, undefined);
            case "PATCH /throttle":
                control.setThrottle(input);
                return sendJson(res, 204, undefined);
            case "PATCH /behaviour":
                control.setBehaviour(input);
                return sendJson(res, 204, undefined);
            case "POST /clock":
                if (typeof input.advanceMs === "number") control.setClockOffset(control.clockOffset() + input.advanceMs);
                else if (typeof input.offsetMs === "number") control.setClockOffset(input.offsetMs);
                return sendJson(res, 200, { offsetMs: control.clockOffset(), now: new Date(control.now()).toISOString() });
            case "POST /apps":
                control.registerApp(input as never);
                return sendJson(res, 204, undefined);
            case "POST /tokens":
                return sendJson(res, 200, { access_token: control.issueToken(input as never) });
            case "GET /requests":
                return sendJson(res, 200, { value: control.requests() });
            case "DELETE /requests":
                control.clearRequests();
                return sendJson(res, 204, undefined);
            case "GET /androidEnterprise":
                return sendJson(res, 200, control.androidEnterprise());
            case "PATCH /androidEnterprise":
                return sendJson(res, 200, control.setAndroidEnterprise(input));
            case "GET /groups":
                return sendJson(res, 200, { value: control.groups() });
            case "POST /groups":
                control.putGroup(groupFrom(input));
                return sendJson(res, 204, undefined);
            case "DELETE /groups":
                if (!seg[1]) return sendJson(res, 400, { error: "name the group: DELETE /_emulator/groups/{id}" });
                return sendJson(res, control.deleteGroup(seg[1]) ? 204 : 404, undefined);
        }
        if (seg[0] === "profiles") {
            const collection = seg[1];
            if (!collection || !isCollection(collection)) return sendJson(res, 404, { error: `unknown collection '${collection ?? ""}'` });
            const id = seg[2];
            if (method === "GET" && !id) return sendJson(res, 200, { value: control.profiles(collection) });
            if (method === "POST" && !id) return sendJson(res, 201, await control.createInPortal(collection, input));
            if (id && method === "PATCH") return sendJson(res, 200, control.changeInPortal(collection, id, input));
            if (id && method === "DELETE") return sendJson(res, control.deleteInPortal(collection, id) ? 204 : 404, undefined);
            if (id && seg[3] === "membershipTarget" && method === "GET") return sendJson(res, 200, { value: control.membershipTarget(id) });
            if (id && seg[3] === "membershipTarget" && method === "PUT") {
                const targetId = input.targetId;
                if (targetId !== null && typeof targetId !== "string") return sendJson(res, 400, { error: "targetId must be a group id or null" });
                control.setMembershipTargetInPortal(id, targetId);
                return sendJson(res, 204, undefined);
            }
        }
        return sendJson(res, 404, { error: `no admin route ${method} ${url.pathname}` });
    } catch (err) {
        if (err instanceof EmulatorStateError) return sendJson(res, 500, { error: err.message, code: EMULATOR_STATE_FILE_ERROR });
        return sendJson(res, 400, { error: err instanceof Error ? err.message : String(err) });
    }
}
