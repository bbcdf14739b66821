import type { ProfileContext } from "./crud";
import type { ProfileKind, Props } from "./model";

/**
 * State a profile has beside its Graph entity, set and read through bound actions rather than in the entity's
 * PATCH and GET (enrollment-time grouping). The shared lifecycle calls these few hooks at fixed points; everything
 * about one such state lives in its own module, named in the kind's `attachments`.
 */
export interface ProfileAttachment {
    /**
     * Inputs it owns. Like a writable property: declared → applied; removed from the program → undone; never
     * declared → unmanaged.
     */
    readonly inputs: readonly string[];
    /** Outputs it reports (never secret). */
    readonly outputs: readonly string[];
    /**
     * Brings the service in line with `news`, given what `olds` recorded as applied; returns its outputs. A refusal
     * throws an error that says what to fix, having changed nothing.
     */
    apply(kind: ProfileKind, ctx: ProfileContext, id: string, olds: Props, news: Props): Promise<Props>;
    /**
     * What the service holds now: its outputs, and each declared input's live value (undefined: none), so a change
     * made in the portal shows as drift; and what the refresh should tell the user (a refusal it worked around).
     * `recorded` is the stored state.
     */
    read(kind: ProfileKind, ctx: ProfileContext, id: string, recorded: Props): Promise<AttachmentReading>;
    /** Warnings a refresh should show about what it read (a target that no longer passes the service's checks). */
    notices?(kind: ProfileKind, props: Props): string[];
}

export interface AttachmentReading {
    values: Props;
    notices?: string[];
}

export const attachmentsOf = (kind: ProfileKind): readonly ProfileAttachment[] => kind.attachments ?? [];
export const attachmentInputs = (kind: ProfileKind): string[] => attachmentsOf(kind).flatMap((a) => a.inputs);
export const attachmentOutputs = (kind: ProfileKind): string[] => attachmentsOf(kind).flatMap((a) => a.outputs);

/** Applies every attachment in turn; the outputs of all of them. */
export async function applyAttachments(kind: ProfileKind, ctx: ProfileContext, id: string, olds: Props, news: Props): Promise<Props> {
    const outs: Props = {};
    for (const a of attachmentsOf(kind)) Object.assign(outs, await a.apply(kind, ctx, id, olds, news));
    return outs;
}

/**
 * Merges what each attachment reads into `props`: outputs replaced, declared inputs set to their live value or
 * removed; with what the attachments have to tell.
 */
export async function readAttachments(kind: ProfileKind, ctx: ProfileContext, id: string, props: Props): Promise<{ props: Props; notices: string[] }> {
    const out: Props = { ...props };
    const notices: string[] = [];
    for (const a of attachmentsOf(kind)) {
        const reading = await a.read(kind, ctx, id, props);
        notices.push(...(reading.notices ?? []));
        for (const [key, value] of Object.entries(reading.values)) {
            if (value === undefined) delete out[key];
            else out[key] = value;
        }
    }
    return { props: out, notices };
}

export const attachmentNotices = (kind: ProfileKind, props: Props): string[] => attachmentsOf(kind).flatMap((a) => a.notices?.(kind, props) ?? []);

/** The stored outputs without the attachments' inputs: what to record when an attachment was not applied. */
export function withoutAttachmentInputs(kind: ProfileKind, props: Props): Props {
    const out: Props = { ...props };
    for (const key of attachmentInputs(kind)) delete out[key];
    return out;
}
