import { isLeft } from "fp-ts/Either";
import { GraphClient } from "../graph/client";
import { ConsistencyTimeout, waitUntilVisible } from "../graph/consistency";
import { GraphRequestError, Operation } from "../graph/errors";
import { rememberSecret } from "../graph/secrets";
import { ProfileCreatedButFailed, ProfileError } from "./errors";
import { propertyProblems, shownValue, withArticle } from "./decodeErrors";
import type { ProfileContext } from "./context";
import { buildCreateBody, buildPatchBody } from "./construct";
import { sameValue } from "./diff";
import { applyAttachments, attachmentInputs, attachmentNotices, readAttachments, withoutAttachmentInputs } from "./attachments";
import { checkInputs } from "./validate";
import { Entity, Inputs } from "./kinds/common";
import { Props } from "./model";
import { ProfileKind } from "./kind";
import { CREATED_NOT_YET_SHOWN, declaredInputs, inputsFromOutputs, outputs, selectFor } from "./state";
import {
    createTimeExpiry,
    desiredExpiry,
    EXPIRY_TOLERANCE_MS,
    expiryMs,
    hasToken,
    tokenIsFresh,
    tokenRenewalReason,
    tokenUsable,
    validitySeconds,
} from "./token";

/** create, read, update and delete of a profile through Graph, written once for every ProfileKind. */

/** Profiles this process made or adopted: a probe for a lost create must never mistake one of them for its own. */
const claimed = new Set<string>();

const op = (kind: ProfileKind, verb: string, name: unknown, write: boolean): Operation => ({
    description: `${verb} ${kind.label} "${typeof name === "string" ? name : "?"}"`,
    kind: write ? "write" : "read",
});

function rememberSecrets(kind: ProfileKind, props: Props): void {
    for (const key of kind.secrets) {
        const v = props[key];
        rememberSecret(typeof v === "object" && v !== null ? (v as { value?: unknown }).value : v);
    }
}

export function decodeEntity(kind: ProfileKind, body: unknown, operation: Operation): Entity {
    const decoded = kind.entity.decode(body);
    if (isLeft(decoded)) {
        const problems = propertyProblems(decoded.left).map(
            (p) => `${p.property} must be ${p.expected}, got ${shownValue(p.got, kind.secrets.includes(p.property))}`,
        );
        const what = problems.length > 0 ? problems.join("; ") : `expected an object with an id, got ${shownValue(body, true)}`;
        throw new ProfileError(
            `${operation.description} failed: Graph answered with ${withArticle(kind.label)} that does not decode: ${what}. The API may have changed; please report this message`,
        );
    }
    rememberSecrets(kind, decoded.right);
    // The kind's codec decoded every property its table names, the common ones among them.
    return decoded.right as Entity;
}

function entityPath(kind: ProfileKind, id: string): string {
    return `${kind.collectionPath}/${encodeURIComponent(id)}`;
}

/** GET with $select (token fields are only returned when selected); undefined on 404. */
/**
 * The inputs the engine hands to create and update (an untyped map), decoded by the type's codec: check has judged
 * them already, so a failure here is a bug, reported as such. Null is a cleared value, not decoded.
 */
export function decodeInputs(kind: ProfileKind, props: Props, operation: Operation): Inputs {
    const declared: Props = {};
    for (const key of kind.inputKeys) if (props[key] !== undefined && props[key] !== null) declared[key] = props[key];
    const decoded = kind.inputs.decode(declared);
    if (isLeft(decoded)) {
        const problems = propertyProblems(decoded.left).map(
            (p) => `${p.property} must be ${p.expected}, got ${shownValue(p.got, kind.secrets.includes(p.property))}`,
        );
        throw new ProfileError(
            `${operation.description} failed: its inputs do not decode although check passed them (${problems.join("; ")}); please report this`,
        );
    }
    return { ...props, ...decoded.right } as Inputs;
}

/** `declared`: the inputs that decide which opt-in outputs are read (`everything`: all of them). */
export async function readEntity(
    kind: ProfileKind,
    ctx: ProfileContext,
    id: string,
    operation: Operation,
    declared: Props | "everything",
): Promise<Entity | undefined> {
    const $select = declared === "everything" ? kind.select.join(",") : selectFor(kind, declared);
    const body = await ctx.client.find(operation, entityPath(kind, id), { $select });
    return body === undefined ? undefined : decodeEntity(kind, body, operation);
}

/** Lists profiles with this exact displayName that the provider may manage. */
export async function findByDisplayName(kind: ProfileKind, ctx: ProfileContext, displayName: string, operation: Operation): Promise<Entity[]> {
    const filter = `displayName eq '${displayName.replace(/'/g, "''")}'`;
    const items = await ctx.client.list(operation, kind.collectionPath, { $filter: filter });
    return items.map((item) => decodeEntity(kind, item, operation)).filter((e) => e.displayName === displayName && kind.manageable(e));
}

/** Waits until a read shows `expect` satisfied: read-after-write for every write here. */
async function readBack(kind: ProfileKind, ctx: ProfileContext, id: string, declared: Props, what: string, expect: (e: Entity) => boolean): Promise<Entity> {
    const name = declared.displayName;
    const reading = op(kind, "Reading", name, false);
    return waitUntilVisible(() => readEntity(kind, ctx, id, reading, declared), expect, {
        timeoutMs: ctx.settings.consistencyTimeoutMs,
        // The name is how the user knows the resource; the id, how the portal and the orphans command know it.
        what: `${kind.label} ${typeof name === "string" ? `"${name}" ` : ""}(${id}) ${what}`,
    });
}

/** The declared writable fields as the entity should now show them. */
function showsInputs(kind: ProfileKind, inputs: Props): (e: Props) => boolean {
    return (e) => kind.writable.every((k) => inputs[k] === undefined || kind.writeOnly.includes(k) || sameValue(kind, k, inputs[k], e[k]));
}

/** Issues a token with the declared validity and returns the expiry to wait for (none for tokens that never expire). */
async function issueToken(kind: ProfileKind, ctx: ProfileContext, id: string, inputs: Inputs): Promise<number | undefined> {
    const now = ctx.now();
    const seconds = validitySeconds(kind, inputs, now);
    const issuing = { ...op(kind, "Issuing an enrollment token for", inputs.displayName, true), issuesToken: true };
    await ctx.client.action(issuing, `${entityPath(kind, id)}/createToken`, {
        tokenValidityInSeconds: seconds,
    });
    return kind.tokenRules(inputs).expires ? now + seconds * 1000 : undefined;
}

/**
 * The first token of a profile just created. Intune is eventually consistent: the new id may answer 404 for a
 * while, to this action as to a read (whichever catches up first). On 404 it asks again, with the read-back's delays
 * and within its time; a 404 that outlasts that time is the answer, with its request ids (the engine keeps the
 * profile, half-made).
 */
async function issueTokenOnceVisible(kind: ProfileKind, ctx: ProfileContext, id: string, inputs: Inputs): Promise<number | undefined> {
    let refused: GraphRequestError | undefined;
    try {
        const issued = await waitUntilVisible(
            async () => {
                try {
                    return { expiry: await issueToken(kind, ctx, id, inputs) };
                } catch (err) {
                    if (!(err instanceof GraphRequestError && err.isNotFound)) throw err;
                    refused = err;
                    return undefined;
                }
            },
            () => true,
            { timeoutMs: ctx.settings.consistencyTimeoutMs, what: "" },
        );
        return issued.expiry;
    } catch (err) {
        throw err instanceof ConsistencyTimeout && refused ? refused : err;
    }
}

/**
 * Services that refuse read-only properties in a body reject the first-token expiry; then it is left out. Learnt
 * per Graph root (what one service does says nothing about another this process talks to), and only once a create
 * without it succeeded after one with it was refused: the refusal's words are the service's to choose.
 */
const servicesRejectingCreateExpiry = new Set<string>();

async function postProfile(
    kind: ProfileKind,
    ctx: ProfileContext,
    creating: Operation,
    body: Props,
    probe: () => Promise<Props | undefined>,
): Promise<unknown> {
    const send = (b: Props): Promise<unknown> => ctx.client.create(creating, kind.collectionPath, b, probe);
    const { tokenExpirationDateTime, ...withoutExpiry } = body;
    if (tokenExpirationDateTime === undefined || servicesRejectingCreateExpiry.has(ctx.settings.graphRoot)) return send(withoutExpiry);
    try {
        return await send(body);
    } catch (err) {
        // A 400 is definitive (nothing was created), so sending again without the property is safe. Whatever the 400
        // said: Intune may word the refusal generically. Refused again, the second refusal is the one to report.
        if (!(err instanceof GraphRequestError) || err.status !== 400) throw err;
        const created = await send(withoutExpiry);
        servicesRejectingCreateExpiry.add(ctx.settings.graphRoot);
        return created;
    }
}

/**
 * The earliest creation time, in the service's clock, of a profile that a create started at `startedLocal` (this
 * machine's clock) may have made. Judged with the offset learnt from the probe's own answer, so a service clock
 * minutes away from this machine's neither hides the profile (a duplicate) nor admits an old one.
 */
function createdSince(ctx: ProfileContext, startedLocal: number): number {
    return startedLocal + ctx.client.serviceClockOffsetMs - PROBE_MARGIN_MS;
}

/** How far before the create's start a profile found by the probe may have been created (clock steps, slow answers). */
const PROBE_MARGIN_MS = 5 * 60_000;

export async function createProfile(kind: ProfileKind, ctx: ProfileContext, inputs: Inputs): Promise<{ id: string; outs: Props }> {
    rememberSecrets(kind, inputs); // before any request: Graph may echo a secret input (a Wi-Fi password) in an error
    const adopted = await adopt(kind, ctx, inputs);
    if (adopted) return adopted;

    const creating = op(kind, "Creating", inputs.displayName, true);
    // Local time: the service's clock offset may not be known before the first answer (see `createdSince`).
    const startedLocal = Date.now();
    const rules = kind.tokenRules(inputs);
    const wantedExpiry = rules.expires ? desiredExpiry(kind, inputs, ctx.now()) : undefined;
    const body = buildCreateBody(kind, inputs, rules.issuedOnCreate ? createTimeExpiry(rules, wantedExpiry, ctx.now()) : undefined);
    const looking = op(kind, "Looking for", inputs.displayName, false);
    const probe = async (): Promise<Entity | undefined> => {
        const candidates = await findByDisplayName(kind, ctx, inputs.displayName, looking);
        const since = createdSince(ctx, startedLocal);
        const mine = candidates.find((e) => !claimed.has(e.id) && (expiryMs(e.createdDateTime) ?? since) >= since && showsInputs(kind, inputs)(e));
        if (!mine) return undefined;
        // Claimed before the next await: an identical profile whose answer was lost too searches at the same time,
        // and must take the other profile, not this one.
        claimed.add(mine.id);
        // A list returns the token fields as null: read what was found like every other path, or its token would
        // look missing and a second one be issued.
        return readBack(kind, ctx, mine.id, inputs, "found after a create whose answer was lost", () => true);
    };
    const created = decodeEntity(kind, await postProfile(kind, ctx, creating, body, probe), creating);
    const id = created.id;
    claimed.add(id);

    const declared = declaredInputs(kind, inputs);
    let entity: Props | undefined;
    try {
        const expiry = expiryMs(created.tokenExpirationDateTime);
        const tokenOk =
            tokenUsable(rules, created, ctx.now()) &&
            (wantedExpiry === undefined || (expiry !== undefined && Math.abs(expiry - wantedExpiry) <= EXPIRY_TOLERANCE_MS));
        let expect = (e: Props): boolean => showsInputs(kind, inputs)(e) && hasToken(e);
        if (!tokenOk) {
            const issued = await issueTokenOnceVisible(kind, ctx, id, inputs);
            expect = (e) => showsInputs(kind, inputs)(e) && tokenIsFresh(rules, e, created.tokenValue, issued);
        }
        entity = await readBack(kind, ctx, id, inputs, "to show its enrollment token", expect);
        return { id, outs: outputs(kind, declared, entity, await applyAttachments(kind, ctx, id, {}, declared)) };
    } catch (err) {
        // The profile exists: hand it to Pulumi with what we know, minus what we did not get to apply (the validity,
        // or only the attachments once the token showed), so the next run's diff sees it as still due.
        const partial = entity
            ? outputs(kind, withoutAttachmentInputs(kind, declared), entity)
            : outputs(kind, withoutAttachmentInputs(kind, { ...declared, tokenValidityDays: undefined }), created);
        // Stamped by the service's clock as this run sees it, not with the answer's createdDateTime, which may be a placeholder.
        if (!entity) partial[CREATED_NOT_YET_SHOWN] = new Date(ctx.now()).toISOString();
        partial.__provider = inputs.__provider;
        const reason = err instanceof Error ? err.message : String(err);
        throw new ProfileCreatedButFailed(id, partial, [reason]);
    }
}

/**
 * Taking over a profile made in the portal: by id, or the single profile with the declared displayName. It must
 * agree on the properties that would force replacement; its other declared properties are brought in line, and its
 * token is kept unless it is due.
 */
async function adopt(kind: ProfileKind, ctx: ProfileContext, inputs: Inputs): Promise<{ id: string; outs: Props } | undefined> {
    const looking = op(kind, "Adopting", inputs.displayName, false);
    let existing: Entity | undefined;
    if (inputs.adoptExistingId !== undefined) {
        existing = await readEntity(kind, ctx, inputs.adoptExistingId, looking, inputs);
        if (!existing) throw new ProfileError(`${looking.description} failed: adoptExistingId ${inputs.adoptExistingId} does not exist in this tenant`);
        if (!kind.manageable(existing))
            throw new ProfileError(
                `${looking.description} failed: profile ${inputs.adoptExistingId} is a built-in profile (enrollmentMode ${String(existing.enrollmentMode)}) and cannot be managed`,
            );
        const mismatch = kind.replaceOnChange.filter((k) => inputs[k] !== undefined && !sameValue(kind, k, inputs[k], existing![k]));
        if (mismatch.length > 0) {
            throw new ProfileError(
                `${looking.description} failed: profile ${inputs.adoptExistingId} has ${mismatch.map((k) => `${k} ${JSON.stringify(existing![k])}`).join(", ")}, but ${mismatch.map((k) => `${JSON.stringify(inputs[k])}`).join(", ")} is declared; these cannot change in place, so remove adoptExistingId to create a new profile`,
            );
        }
    } else if (inputs.adoptByDisplayName === true) {
        const matches = (await findByDisplayName(kind, ctx, inputs.displayName, looking)).filter(
            (e) => !claimed.has(e.id) && kind.replaceOnChange.every((k) => inputs[k] === undefined || sameValue(kind, k, inputs[k], e[k])),
        );
        if (matches.length > 1) {
            throw new ProfileError(
                `${looking.description} failed: ${matches.length} profiles are named "${inputs.displayName}" (${matches.map((m) => m.id).join(", ")}); use adoptExistingId to choose one`,
            );
        }
        // A list returns the token fields as null: read the one match with $select, or its token would look missing.
        existing = matches[0] && (await readEntity(kind, ctx, matches[0].id, looking, inputs));
    }
    if (!existing) return undefined;
    // Left out, a create-only property reads as its default from here on: the token rules would judge another token
    // type (a staging token never renewed), and declaring the profile's real value later would replace it.
    const undeclared = kind.replaceOnChange.filter(
        (k) =>
            inputs[k] === undefined && k in kind.clearedValues && (existing![k] ?? null) !== null && !sameValue(kind, k, existing![k], kind.clearedValues[k]),
    );
    if (undeclared.length > 0) {
        throw new ProfileError(
            `${looking.description} failed: profile ${existing.id} has ${undeclared.map((k) => `${k} ${JSON.stringify(existing![k])}`).join(", ")}, which the program leaves out (read as ${undeclared.map((k) => JSON.stringify(kind.clearedValues[k])).join(", ")}); declare ${undeclared.map((k) => `${k}: ${JSON.stringify(existing![k])}`).join(", ")} to adopt it, since it cannot change in place`,
        );
    }
    const id = existing.id;
    claimed.add(id);
    // Only what the profile shows counts as applied: a property Graph never returns (the Wi-Fi password) and an
    // attachment (the enrollment-time group) cannot be seen here, so they are sent, or the state would claim them.
    const olds = outputs(kind, withoutAttachmentInputs(kind, declaredInputs(kind, inputs)), existing);
    for (const key of kind.writeOnly) delete olds[key];
    // Adoption keeps the devices' current QR code working: the declared validity counts as applied unless the token is due.
    const asIs = { ...olds, tokenValidityDays: inputs.tokenValidityDays };
    return { id, outs: await applyChanges(kind, ctx, id, asIs, inputs, existing) };
}

/** `notices`: what the refresh should tell the user about what it read (a refusal worked around, a group that no longer passes). */
export async function readProfile(
    kind: ProfileKind,
    ctx: ProfileContext,
    id: string,
    props: Props,
): Promise<{ id?: string; props: Props; inputs: Props; notices: string[] }> {
    rememberSecrets(kind, props);
    const declared = inputsFromOutputs(kind, props);
    const reading = op(kind, "Reading", props.displayName, false);
    const entity = (await readEntity(kind, ctx, id, reading, declared)) ?? (await firstSight(kind, ctx, id, declared, props, reading));
    if (!entity) return { id: undefined, props: {}, inputs: {}, notices: [] }; // deleted out of band: drop it from the stack
    const { props: outs, notices } = await readAttachments(kind, ctx, id, outputs(kind, declared, entity, props));
    return { id, props: outs, inputs: inputsFromOutputs(kind, outs), notices: [...notices, ...attachmentNotices(kind, outs)] };
}

/** After this long, a profile Intune never showed since its create is taken as deleted: a 404 then means it. */
const NOT_SHOWN_GIVE_UP_MS = 24 * 3600_000;

/**
 * A 404 for a profile whose create was accepted but never shown: Intune may still be catching up, so it is waited
 * for, and if it still does not show the refresh fails rather than drop it (the next run would create it twice).
 * Undefined (deleted) only for a profile that was shown before, or was created more than a day ago.
 */
async function firstSight(
    kind: ProfileKind,
    ctx: ProfileContext,
    id: string,
    declared: Props,
    props: Props,
    operation: Operation,
): Promise<Entity | undefined> {
    const since = props[CREATED_NOT_YET_SHOWN];
    const createdMs = typeof since === "string" ? Date.parse(since) : NaN;
    if (Number.isNaN(createdMs) || ctx.now() - createdMs > NOT_SHOWN_GIVE_UP_MS) return undefined;
    try {
        return await readBack(kind, ctx, id, declared, "to show for the first time since its create", () => true);
    } catch (err) {
        if (!(err instanceof ConsistencyTimeout)) throw err;
        throw new ProfileError(
            `${operation.description} (${id}) failed: Intune accepted its create at ${String(since)} but has not shown it since. It stays in the stack, ` +
                "so that it is neither created twice nor left behind; run again later. If it was deleted in the portal meanwhile, remove it with pulumi state delete.",
        );
    }
}

/**
 * A profile known only by its id, as `pulumi import` takes it: its writable properties that differ from the
 * service's defaults become its declared inputs, with its attachments (an enrollment-time group), so that a program
 * declaring exactly these keeps it as it is. A property the type's rules would refuse as declared (Wi-Fi settings
 * a GMS profile reports as false) is left out: the generated program must pass check.
 */
export async function importedProfile(
    kind: ProfileKind,
    ctx: ProfileContext,
    id: string,
    operation: Operation,
): Promise<{ props: Props; inputs: Props } | undefined> {
    const entity = await readEntity(kind, ctx, id, operation, {});
    if (!entity) return undefined;
    if (!kind.manageable(entity))
        throw new ProfileError(
            `${operation.description} failed: profile ${id} is a built-in profile (enrollmentMode ${String(entity.enrollmentMode)}) and cannot be managed`,
        );
    const declared: Props = {};
    for (const key of kind.writable) {
        const value = entity[key];
        if (kind.writeOnly.includes(key) || value === undefined || value === null) continue;
        if (key in kind.clearedValues && sameValue(kind, key, value, kind.clearedValues[key])) continue;
        declared[key] = value;
    }
    for (let refused = refusedByCheck(kind, ctx, declared); refused.length > 0; refused = refusedByCheck(kind, ctx, declared)) {
        for (const key of refused) delete declared[key];
    }
    // Every attachment input counts as declared with its value unknown, so each reports what the service holds.
    const everyAttachmentInput = Object.fromEntries(attachmentInputs(kind).map((k) => [k, undefined]));
    const { props } = await readAttachments(kind, ctx, id, { ...outputs(kind, declared, entity), ...everyAttachmentInput });
    return { props, inputs: inputsFromOutputs(kind, props) };
}

/** The optional properties check refuses in these inputs. */
function refusedByCheck(kind: ProfileKind, ctx: ProfileContext, inputs: Props): string[] {
    const { failures } = checkInputs(kind, {}, inputs, ctx.settings);
    return [...new Set(failures.map((f) => f.property))].filter((k) => k in inputs && !kind.required.includes(k));
}

export async function updateProfile(kind: ProfileKind, ctx: ProfileContext, id: string, olds: Props, news: Inputs): Promise<Props> {
    rememberSecrets(kind, olds);
    rememberSecrets(kind, news);
    return applyChanges(kind, ctx, id, olds, news, undefined);
}

/**
 * Apply the attachments (the enrollment-time group), PATCH what differs, issue a token if one is due, then read back
 * until both show. The attachments go first: Intune refuses a group it cannot use without changing anything, so a
 * refusal leaves the whole profile as the stack records it.
 */
async function applyChanges(kind: ProfileKind, ctx: ProfileContext, id: string, olds: Props, news: Inputs, current: Entity | undefined): Promise<Props> {
    const attached = await applyAttachments(kind, ctx, id, olds, news);
    const patch = buildPatchBody(kind, olds, news);
    let patched: Entity | undefined;
    if (Object.keys(patch).length > 0) {
        const updating = op(kind, "Updating", news.displayName, true);
        const answer = await ctx.client.patch(updating, entityPath(kind, id), patch);
        if (answer !== undefined) patched = decodeEntity(kind, answer, updating);
    }
    const reason = tokenRenewalReason(kind, olds, news, ctx.now());
    const issued = reason ? await issueToken(kind, ctx, id, news) : undefined;
    // Wait for what was written, not for every declared field: one edited in the portal since the last refresh but
    // unchanged in the program was not sent, so it never shows the program's value (the outputs report the drift).
    const expect = (e: Props): boolean => showsInputs(kind, patch)(e) && (reason ? tokenIsFresh(kind.tokenRules(news), e, olds.tokenValue, issued) : true);
    // Nothing written and the entity in hand (adoption): no need to read it again.
    const entity =
        !reason && Object.keys(patch).length === 0 && current && !patched
            ? current
            : await readBack(kind, ctx, id, news, reason ? "to show its new enrollment token" : "to show the update", expect);
    return outputs(kind, declaredInputs(kind, news), entity, attached);
}

/**
 * revokeToken ahead of a delete. The portal offers no revoke for tokens that never expire and the service may
 * refuse it; the delete that follows takes the token with the profile, so such a refusal must not keep the profile
 * alive. `props` are what is known of the profile (its mode and token type decide whether its token expires).
 */
export async function revokeBeforeDelete(
    kind: ProfileKind,
    client: GraphClient,
    id: string,
    props: Props,
    operation: Operation,
): Promise<"revoked" | "refused" | "absent"> {
    try {
        await client.action(operation, `${entityPath(kind, id)}/revokeToken`);
        return "revoked";
    } catch (err) {
        if (!(err instanceof GraphRequestError)) throw err;
        if (err.isNotFound) return "absent";
        if (kind.tokenRules(props).expires || !err.isRefusal) throw err;
        process.stderr.write(`intune: ${err.message}; deleting the profile removes its token\n`);
        return "refused";
    }
}

export async function deleteProfile(kind: ProfileKind, ctx: ProfileContext, id: string, props: Props): Promise<void> {
    rememberSecrets(kind, props);
    // A profile Intune never showed may answer 404 only because it does not show yet: wait for it, as a refresh does,
    // rather than let the stack forget a profile that then appears with its live token.
    if (props[CREATED_NOT_YET_SHOWN] !== undefined) await firstSight(kind, ctx, id, {}, props, op(kind, "Deleting", props.displayName, true));
    if (props.revokeTokenOnDelete === true && hasToken(props)) {
        await revokeBeforeDelete(kind, ctx.client, id, props, op(kind, "Revoking the enrollment token of", props.displayName, true));
    }
    await ctx.client.delete(op(kind, "Deleting", props.displayName, true), entityPath(kind, id));
    claimed.delete(id);
}
