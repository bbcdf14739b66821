import { attachmentOutputs } from "./attachments";
import { Props } from "./model";
import { ProfileKind } from "./kind";

/**
 * What Pulumi stores for a profile. Outputs are the declared inputs (with their live values) plus every server
 * property; a writable property never declared is left out, so it stays unmanaged. Everything is plain JSON:
 * no undefined, no Dates, no Buffers.
 */

/**
 * A fixed expiry the user declared is kept in state under its own name: `tokenExpirationDateTime` in the outputs is
 * the live expiry of the current token, which a portal change or a renewal moves.
 */
export const REQUESTED_EXPIRY = "requestedTokenExpirationDateTime";

/**
 * Kept in the state of a profile whose create Intune accepted (an id came back) but never showed to a read before
 * the run gave up waiting: when it was created. A refresh then waits for it instead of taking a 404 for "deleted",
 * which would drop it from the stack and have the next run create a second one.
 */
export const CREATED_NOT_YET_SHOWN = "createdNotYetShownSince";

/** Whether the declared inputs want this output: always, unless the table makes it opt-in (`outputWhen`). */
export function wanted(kind: ProfileKind, key: string, declared: Props): boolean {
    const control = kind.outputWhen[key];
    return control === undefined || declared[control] === true;
}

/** The $select of a complete read for these declared inputs: what a profile's outputs need, no more. */
export function selectFor(kind: ProfileKind, declared: Props): string {
    return kind.select.filter((k) => wanted(kind, k, declared)).join(",");
}

/** The inputs the user declared, from checked inputs (`except`: one to leave out). */
export function declaredInputs(kind: ProfileKind, props: Props, except?: string): Props {
    const out: Props = {};
    for (const key of kind.inputKeys) {
        if (key !== except && props[key] !== undefined) out[key] = props[key];
    }
    return out;
}

/** The inputs the user declared, recovered from stored outputs. */
export function inputsFromOutputs(kind: ProfileKind, outs: Props): Props {
    // The stored tokenExpirationDateTime is the live expiry; the declared one is kept under REQUESTED_EXPIRY.
    const out = declaredInputs(kind, outs, "tokenExpirationDateTime");
    if (typeof outs[REQUESTED_EXPIRY] === "string") out.tokenExpirationDateTime = outs[REQUESTED_EXPIRY];
    return out;
}

/**
 * Declared writable properties take the value the service holds now (drift shows as a change to them).
 * `attached`: the attachments' outputs (what they last reported); each is null until one reports, so the output
 * always exists.
 */
export function outputs(kind: ProfileKind, declared: Props, entity: Props, attached: Props = {}): Props {
    // The declared inputs in their order, each with its live value where the service returns one, then the requested
    // expiry, attachments, profileId and server outputs; plain JSON, so an undefined value is left out, not stored.
    const out: Props = {};
    let requested: unknown;
    for (const key of Object.keys(declared)) {
        const live = kind.writable.includes(key) && !kind.writeOnly.includes(key);
        const value = live && entity[key] !== undefined ? entity[key] : declared[key];
        if (key === "tokenExpirationDateTime") requested = value;
        else if (value !== undefined) out[key] = value;
    }
    if (requested !== undefined) out[REQUESTED_EXPIRY] = requested;
    else if (REQUESTED_EXPIRY in out) delete out[REQUESTED_EXPIRY];
    for (const key of attachmentOutputs(kind)) out[key] = attached[key] ?? null;
    if (entity.id !== undefined) out.profileId = entity.id;
    for (const key of kind.serverOutputs) if (wanted(kind, key, declared)) out[key] = entity[key] ?? null;
    for (const key of kind.mimeOutputs) {
        if (!wanted(kind, key, declared)) continue;
        const content = entity[key] as { type?: unknown; value?: unknown } | null | undefined;
        out[key] = typeof content?.value === "string" ? content.value : null;
        out[`${key}Type`] = typeof content?.type === "string" ? content.type : null;
    }
    return out;
}
