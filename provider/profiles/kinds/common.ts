import * as t from "io-ts";
import { Count, IsoDateTime, MimeContent, NonEmptyString, ProfileId, RenewalDays, ValidityDays } from "../model";
import { Props } from "../model";
import { EntityOf, InputsOf, property } from "../properties";

/**
 * The properties every enrollment-profile type has: its name, the enrollment token and QR code the service keeps,
 * and the inputs that steer the provider rather than Graph. Each kind's table starts from these.
 */
export const COMMON_PROPERTIES = {
    /** The profile's name, as the Intune portal shows it. */
    displayName: property({
        input: NonEmptyString,
        required: true,
        entity: t.string,
        writable: true,
        docs: { type: "string, required, not empty", onChange: "in place" },
    }),
    /** Free text shown in the portal. */
    description: property({ input: t.string, entity: t.string, writable: true, cleared: { value: null }, docs: { type: "string", onChange: "in place" } }),
    /** How long each issued token is valid, counted from issue. */
    tokenValidityDays: property({ input: ValidityDays, docs: { onChange: "in place (new token)" } }),
    /**
     * As an input, a fixed expiry for the token instead of a validity; as an output, the expiry of the current token
     * as the service reports it (for tokens that never expire that may be the minimum date, a far date or null).
     */
    tokenExpirationDateTime: property({
        input: IsoDateTime,
        entity: t.string,
        output: true,
        docs: { onChange: "in place (new token)", notes: "instead of `tokenValidityDays`" },
    }),
    /** A run within this many days of the token's expiry issues a new token. */
    renewTokenWithinDays: property({
        input: RenewalDays,
        docs: { type: "whole days, 1 to 3650, less than the validity", onChange: "in place (renews if now due)" },
    }),
    /** Revoke the token before deleting the profile. */
    revokeTokenOnDelete: property({ input: t.boolean, docs: { type: "boolean", onChange: "in place (nothing sent)" } }),
    /**
     * Keep the QR code as a PNG in the outputs `qrCodeImage` and `qrCodeImageType`. Off by default: the image is
     * 16 to 32 KB of encrypted state per profile, which every step of a large `pulumi up` rewrites. Where a picture
     * is needed, render it from `qrCodeContent` with `renderQrCode` (the same code, drawn locally).
     */
    includeQrCodeImage: property({ input: t.boolean, docs: { type: "boolean", onChange: "in place (read again, nothing written)" } }),
    /** Take over this existing profile (made in the portal) instead of creating one. */
    adoptExistingId: property({ input: ProfileId, docs: { type: "profile id (GUID)", onChange: "in place (nothing sent)" } }),
    /** Take over the one existing profile with this displayName (and the declared mode) instead of creating one. */
    adoptByDisplayName: property({ input: t.boolean, docs: { type: "boolean", onChange: "in place (nothing sent)" } }),
    /** The Intune account (tenant) the service files the profile under. */
    accountId: property({ entity: t.string, output: true }),
    /** The enrollment token devices use. Secret. */
    tokenValue: property({ entity: t.string, output: true, secret: true }),
    /** The text the enrollment QR code encodes: it embeds the token (and for AOSP the Wi-Fi password). Secret. */
    qrCodeContent: property({ entity: t.string, output: true, secret: true }),
    /** The QR code as a base64 PNG (its MIME type is the output qrCodeImageType), with `includeQrCodeImage: true` only. Secret. */
    qrCodeImage: property({ entity: MimeContent, output: "mimeContent", secret: true, outputWhen: "includeQrCodeImage" }),
    /** How many devices enrolled with the profile. */
    enrolledDeviceCount: property({ entity: Count, output: true }),
    /** When the service created the profile. */
    createdDateTime: property({ entity: t.string, output: true }),
    /** When the service last changed the profile. */
    lastModifiedDateTime: property({ entity: t.string, output: true }),
};

/**
 * A decoded profile of any type, as the shared lifecycle sees it: the properties every type has, typed; the type's
 * own properties by name.
 */
export type Entity = EntityOf<typeof COMMON_PROPERTIES> & Props;

/**
 * A profile's declared inputs as the shared lifecycle sees them, decoded once (host.ts, decodeInputs): the inputs
 * every type has, typed; the type's own by name; a property removed from the program holds its cleared value.
 */
export type Inputs = InputsOf<typeof COMMON_PROPERTIES> & Props;
