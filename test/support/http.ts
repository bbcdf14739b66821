import { request } from "node:https";

export interface RawResponse {
    status: number;
    headers: Record<string, string | string[] | undefined>;
    text: string;
    // Tests assert on arbitrary Graph bodies; typing each one would only restate the assertion.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    json: any;
}

/** A bare HTTPS call to the emulator: no retries, no client of ours in between. */
export function call(
    caPem: string,
    method: string,
    url: string,
    opts: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<RawResponse> {
    const payload = opts.rawBody ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body));
    return new Promise((resolve, reject) => {
        const req = request(
            url,
            {
                method,
                ca: caPem,
                headers: {
                    ...(opts.token ? { Authorization: `Bearer ${opts.token}` } : {}),
                    ...(payload !== undefined ? { "Content-Type": "application/json" } : {}),
                    ...opts.headers,
                },
            },
            (res) => {
                const chunks: Buffer[] = [];
                res.on("data", (c: Buffer) => chunks.push(c));
                res.on("end", () => {
                    const text = Buffer.concat(chunks).toString("utf8");
                    let json: unknown;
                    try {
                        json = text ? JSON.parse(text) : undefined;
                    } catch {
                        json = undefined;
                    }
                    resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
                });
            },
        );
        req.on("error", reject);
        if (payload !== undefined) req.write(payload);
        req.end();
    });
}
