import { randomUUID } from "node:crypto";
import { PACKAGE_VERSION as VERSION } from "../../runtime/packageInfo";
import { Handler } from "../pipeline";

/** A client-request-id per logical request (kept across its retries, so support can follow it) and who we are. */
export const telemetry: Handler = (req, next) =>
    next({
        ...req,
        headers: {
            "client-request-id": req.headers["client-request-id"] ?? randomUUID(),
            "return-client-request-id": "true",
            SdkVersion: `pulumi-intune-enrollment/${VERSION}`,
            "User-Agent": `pulumi-intune-enrollment/${VERSION} (node ${process.version})`,
            ...req.headers,
        },
    });
