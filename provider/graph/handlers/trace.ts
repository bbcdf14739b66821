import { Handler } from "../pipeline";
import { redactBody, scrub } from "../secrets";

export type Logger = (line: string) => void;

/** With intune:debug, one line per request and per response, secrets redacted, bodies included. */
export function trace(log: Logger): Handler {
    return async (req, next) => {
        const started = Date.now();
        const crid = req.headers["client-request-id"] ?? "-";
        // Bodies are scrubbed string by string (redactBody): scrubbing their JSON again would take a short secret such
        // as "false" out of the booleans and numbers too.
        const body = req.body === undefined ? "" : ` ${JSON.stringify(redactBody(req.body))}`;
        log(scrub(`[intune] → ${req.method} ${req.url} attempt=${req.attempt} client-request-id=${crid}`) + body);
        try {
            const res = await next(req);
            const out = res.body === undefined ? "" : ` ${JSON.stringify(redactBody(res.body)).slice(0, 2000)}`;
            log(scrub(`[intune] ← ${res.status} ${req.method} ${req.url} ${Date.now() - started}ms request-id=${res.headers["request-id"] ?? "-"}`) + out);
            return res;
        } catch (err) {
            log(scrub(`[intune] ✗ ${req.method} ${req.url} ${Date.now() - started}ms ${err instanceof Error ? err.message : String(err)}`));
            throw err;
        }
    };
}
