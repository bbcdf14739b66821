import type * as QRCodeLibrary from "qrcode";

/**
 * The enrollment QR code drawn from a profile's `qrCodeContent`, for stacks that need the picture (an enrollment
 * sheet, a kiosk's printed card) without keeping the image in state: the content holds everything a device reads,
 * and drawing it takes milliseconds. Whatever it returns carries the enrollment token: keep it secret (inside
 * `apply` on the secret `qrCodeContent` it stays secret) and write files owner-only.
 */

export type QrCodeFormat = "png" | "pngBase64" | "terminal" | "svg";

export interface QrCodeOptions {
    /** Pixels per module of the PNG (default 6: about 4 cm across at 300 dpi for a GMS code). */
    scale?: number;
    /** Quiet zone in modules (default 4, what QR readers expect). */
    margin?: number;
}

/** A PNG file's bytes. */
export function renderQrCode(qrCodeContent: string, format?: "png", options?: QrCodeOptions): Promise<Buffer>;
/** `pngBase64`: the PNG as base64, as `qrCodeImage` holds it (a data: URL's payload); `terminal`: text for a terminal; `svg`: an SVG document. */
export function renderQrCode(qrCodeContent: string, format: "pngBase64" | "terminal" | "svg", options?: QrCodeOptions): Promise<string>;
export async function renderQrCode(qrCodeContent: string, format: QrCodeFormat = "png", options: QrCodeOptions = {}): Promise<Buffer | string> {
    if (typeof qrCodeContent !== "string" || qrCodeContent.length === 0) {
        throw new TypeError("renderQrCode: qrCodeContent must be a non-empty string (the profile's qrCodeContent output; null while it has no token)");
    }
    // Loaded on use: programs that never draw a code do not pay for the library at start-up.
    const QRCode = require("qrcode") as typeof QRCodeLibrary;
    const common = { errorCorrectionLevel: "M" as const, margin: options.margin ?? 4 };
    switch (format) {
        case "png":
        case "pngBase64": {
            const png = await QRCode.toBuffer(qrCodeContent, { ...common, type: "png", scale: options.scale ?? 6 });
            return format === "png" ? png : png.toString("base64");
        }
        case "terminal":
            return QRCode.toString(qrCodeContent, { ...common, type: "terminal", small: true });
        case "svg":
            return QRCode.toString(qrCodeContent, { ...common, type: "svg" });
        default:
            throw new TypeError(`renderQrCode: format must be "png", "pngBase64", "terminal" or "svg", got ${JSON.stringify(format)}`);
    }
}
