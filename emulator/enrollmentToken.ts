import { randomInt } from "node:crypto";
import QRCode from "qrcode";
import { AOSP_MODES, TokenRule } from "./profileTypes";

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** Token strings in the shapes Intune hands out: 20 digits for dedicated/AOSP, 8 upper-case letters otherwise. */
export function newTokenValue(rule: TokenRule): string {
    if (rule.format === "digits20") {
        let s = String(randomInt(1, 10));
        while (s.length < 20) s += String(randomInt(0, 10));
        return s;
    }
    let s = "";
    while (s.length < 8) s += UPPER[randomInt(0, UPPER.length)];
    return s;
}

const CLOUDDPC = "com.google.android.apps.work.clouddpc";
const CLOUDDPC_CHECKSUM = "I5YvS0O5hXY46mb01BlRjq4oJJGs2kuUcHvVkAPEXlg";
const AOSP_AGENT = "com.microsoft.windowsintune.companyportal";
const AOSP_CHECKSUM = "WLNfWhi12mDAZGRNa2zQy6Gy9ltmnfVA0VGQCNUJnys";

export interface WifiSettings {
    configureWifi?: boolean;
    wifiSsid?: string;
    wifiPassword?: string;
    wifiSecurityType?: string;
    wifiHidden?: boolean;
}

/**
 * The text a device's setup wizard reads from the QR code. GMS modes get the Android provisioning JSON pointing at
 * Android Device Policy; AOSP modes get base64 of a JSON that also carries the Wi-Fi settings (password in plain
 * text, which is why clients must treat this as a secret).
 */
export function qrCodeContent(token: string, mode: string | undefined, wifi: WifiSettings, base64Gms: boolean): string {
    if (mode !== undefined && AOSP_MODES.includes(mode)) {
        const doc: Record<string, unknown> = {
            "android.app.extra.PROVISIONING_DEVICE_ADMIN_COMPONENT_NAME": `${AOSP_AGENT}/com.microsoft.omadm.platforms.android.admin.DeviceAdminReceiver`,
            "android.app.extra.PROVISIONING_DEVICE_ADMIN_SIGNATURE_CHECKSUM": AOSP_CHECKSUM,
            "android.app.extra.PROVISIONING_DEVICE_ADMIN_PACKAGE_DOWNLOAD_LOCATION": "https://aka.ms/intune-aosp-companyportal",
            "android.app.extra.PROVISIONING_SKIP_ENCRYPTION": false,
            "android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE": { "com.microsoft.intune.extra.ENROLLMENT_TOKEN": token },
        };
        if (wifi.configureWifi !== false && wifi.wifiSsid) {
            doc["android.app.extra.PROVISIONING_WIFI_SSID"] = wifi.wifiSsid;
            doc["android.app.extra.PROVISIONING_WIFI_SECURITY_TYPE"] = (wifi.wifiSecurityType ?? "none").toUpperCase();
            doc["android.app.extra.PROVISIONING_WIFI_HIDDEN"] = wifi.wifiHidden ?? false;
            if (wifi.wifiPassword) doc["android.app.extra.PROVISIONING_WIFI_PASSWORD"] = wifi.wifiPassword;
        }
        return Buffer.from(JSON.stringify(doc), "utf8").toString("base64");
    }
    const json = JSON.stringify({
        "android.app.extra.PROVISIONING_DEVICE_ADMIN_COMPONENT_NAME": `${CLOUDDPC}/.receivers.CloudDeviceAdminReceiver`,
        "android.app.extra.PROVISIONING_DEVICE_ADMIN_SIGNATURE_CHECKSUM": CLOUDDPC_CHECKSUM,
        "android.app.extra.PROVISIONING_DEVICE_ADMIN_PACKAGE_DOWNLOAD_LOCATION": "https://play.google.com/managed/downloadManagingApp?identifier=setup",
        "android.app.extra.PROVISIONING_ADMIN_EXTRAS_BUNDLE": { [`${CLOUDDPC}.EXTRA_ENROLLMENT_TOKEN`]: token },
    });
    return base64Gms ? Buffer.from(json, "utf8").toString("base64") : json;
}

/** A real PNG that a phone (or jsQR) decodes back to `content`, as Graph's mimeContent. */
export async function qrCodeImage(content: string): Promise<{ "@odata.type": string; type: string; value: string }> {
    // Grayscale, unfiltered, fast deflate: a two-colour image loses nothing by it, and pngjs's defaults made PNG
    // encoding the emulator's main cost (~25 ms per profile, serial), which would dominate every rollout measured.
    const png = await QRCode.toBuffer(content, {
        type: "png",
        errorCorrectionLevel: "M",
        margin: 4,
        scale: 3,
        rendererOpts: { filterType: 0, colorType: 0, deflateLevel: 1 },
    } as QRCode.QRCodeToBufferOptions);
    return { "@odata.type": "microsoft.graph.mimeContent", type: "image/png", value: png.toString("base64") };
}
