import { randomUUID } from "node:crypto";

/**
 * Graph error envelopes. Graph-level errors (routing, JSON parsing, auth) carry a plain message; errors raised by
 * the Intune service behind Graph carry a JSON document with `_version: 3` serialized into `message`, which is what
 * real tenants return and what clients must unwrap.
 */
export interface GraphErrorBody {
    error: {
        code: string;
        message: string;
        innerError: { date: string; "request-id": string; "client-request-id": string };
    };
}

export class EmulatedError extends Error {
    constructor(
        readonly status: number,
        readonly code: string,
        message: string,
        readonly intune: boolean,
        readonly headers: Record<string, string> = {},
    ) {
        super(message);
    }
}

export function graphError(status: number, code: string, message: string, headers?: Record<string, string>): EmulatedError {
    return new EmulatedError(status, code, message, false, headers);
}

export function intuneError(status: number, code: string, message: string, headers?: Record<string, string>): EmulatedError {
    return new EmulatedError(status, code, message, true, headers);
}

export function errorBody(err: EmulatedError, requestId: string, clientRequestId: string, now: number): GraphErrorBody {
    const date = new Date(now).toISOString().slice(0, 19);
    let message = err.message;
    if (err.intune) {
        const operationId = randomUUID();
        message = JSON.stringify({
            _version: 3,
            Message: `${err.message} - Operation ID (for customer support): ${operationId} - Activity ID: ${clientRequestId} - Url: https://fef.amsua0602.manage.microsoft.com/StatelessEnrollmentFEService/deviceManagement - CustomApiErrorPhrase: `,
            CustomApiErrorPhrase: "",
            RetryAfter: null,
            ErrorSourceService: "",
            HttpHeaders: "{}",
        });
    }
    return {
        error: {
            code: err.code,
            message,
            innerError: { date, "request-id": requestId, "client-request-id": clientRequestId },
        },
    };
}

export const notFound = (): EmulatedError => intuneError(404, "ResourceNotFound", "Resource not found");
