import { sameValue } from "./diff";
import { Props } from "./model";
import { ProfileKind } from "./kind";

/** Request bodies: only writable properties, only declared ones, and for PATCH only what changed. */

export function buildCreateBody(kind: ProfileKind, inputs: Props, firstTokenExpiry: number | undefined): Props {
    const body: Props = { "@odata.type": kind.odataType };
    for (const key of kind.writable) if (inputs[key] !== undefined) body[key] = inputs[key];
    // Whether POST honours this as the first token's expiry is unconfirmed; create checks what came back.
    if (firstTokenExpiry !== undefined) body.tokenExpirationDateTime = new Date(firstTokenExpiry).toISOString();
    return body;
}

export function buildPatchBody(kind: ProfileKind, olds: Props, news: Props): Props {
    const body: Props = {};
    for (const key of kind.writable) {
        if (kind.replaceOnChange.includes(key) || news[key] === undefined) continue;
        if (!sameValue(kind, key, news[key], olds[key])) body[key] = news[key];
    }
    if (Object.keys(body).length > 0) body["@odata.type"] = kind.odataType;
    return body;
}
