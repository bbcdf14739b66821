import { randomInt } from "node:crypto";

/**
 * The emulator's notion of "now". Tests move it forward (admin endpoint) to age tokens without waiting,
 * so every expiry decision in the emulator reads this, never Date.now() directly.
 */
export class Clock {
    private offsetMs = 0;

    now(): number {
        return Date.now() + this.offsetMs;
    }

    get offset(): number {
        return this.offsetMs;
    }

    setOffset(ms: number): void {
        this.offsetMs = ms;
    }
}

/** Graph writes DateTimeOffset with 7 fractional digits; clients that parse with 3 must cope, so we emit 7. */
export function graphTimestamp(ms: number): string {
    const iso = new Date(ms).toISOString(); // 2026-11-23T10:51:04.123Z
    const ticks = String(randomInt(0, 10000)).padStart(4, "0");
    return `${iso.slice(0, 23)}${ticks}Z`;
}

/** The value Intune shows for a token that never expires. */
export const NEVER_EXPIRES = "9999-12-31T23:59:59.9999999Z";
