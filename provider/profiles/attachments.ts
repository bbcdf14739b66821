import type { ProfileContext } from "./context";
import type { ProfileAttachment, ProfileKind } from "./kind";
import type { Props } from "./model";

/** The hooks of a kind's attachments (kind.ts, ProfileAttachment), called by the shared lifecycle at fixed points. */

export const attachmentsOf = (kind: ProfileKind): readonly ProfileAttachment[] => kind.attachments ?? [];
export const attachmentInputs = (kind: ProfileKind): string[] => attachmentsOf(kind).flatMap((a) => a.inputs);
export const attachmentOutputs = (kind: ProfileKind): string[] => attachmentsOf(kind).flatMap((a) => Object.keys(a.outputs));

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
