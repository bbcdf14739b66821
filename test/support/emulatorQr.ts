import jsQR from "jsqr";
import { PNG } from "pngjs";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/** Graph's mimeContent as the emulator serves qrCodeImage. */
export interface MimeContent {
    type: string;
    value: string;
}

export function isPng(bytes: Buffer): boolean {
    return bytes.subarray(0, 8).equals(PNG_SIGNATURE);
}

/** Reads the QR code in a base64 PNG the way a phone's camera would: decode the pixels, then find and read the code. */
export function readQrPng(base64Png: string): string {
    const png = PNG.sync.read(Buffer.from(base64Png, "base64"));
    const pixels = new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.byteLength);
    const code = jsQR(pixels, png.width, png.height);
    if (!code) throw new Error(`no QR code found in the ${png.width}x${png.height} image`);
    return code.data;
}
