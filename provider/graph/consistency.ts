/**
 * Read-after-write, in one place. Intune is eventually consistent: right after a write a read may 404 or show the
 * old values. Instead of sleeping a fixed time, poll with a growing, jittered delay until the read shows the write,
 * bounded by a timeout after which the caller learns what never became visible.
 */

export interface WaitOptions {
    timeoutMs: number;
    /** What we are waiting for, for the timeout message: "profile 1234 to show displayName \"Kiosk\"". */
    what: string;
    sleep?: (ms: number) => Promise<void>;
    firstDelayMs?: number;
    maxDelayMs?: number;
}

export class ConsistencyTimeout extends Error {
    constructor(what: string, timeoutMs: number) {
        super(
            `Timed out after ${Math.round(timeoutMs / 100) / 10} s waiting for ${what}; Intune accepted the change but does not show it yet. Run again, or raise intune:consistencyTimeoutSeconds.`,
        );
        this.name = "ConsistencyTimeout";
    }
}

export const realSleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Calls `read` until `visible(value)`; `read` returns undefined for "not there yet" (a 404). */
export async function waitUntilVisible<T>(read: () => Promise<T | undefined>, visible: (value: T) => boolean, opts: WaitOptions): Promise<T> {
    const sleep = opts.sleep ?? realSleep;
    const started = Date.now();
    let delay = opts.firstDelayMs ?? 100;
    for (;;) {
        const value = await read();
        if (value !== undefined && visible(value)) return value;
        const elapsed = Date.now() - started;
        if (elapsed >= opts.timeoutMs) throw new ConsistencyTimeout(opts.what, opts.timeoutMs);
        await sleep(Math.min(delay * (0.75 + Math.random() * 0.5), opts.timeoutMs - elapsed));
        delay = Math.min(delay * 1.6, opts.maxDelayMs ?? 2000);
    }
}
