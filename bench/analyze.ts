import type { LoggedRequest } from "./emulatorProcess";
import { NeededWork } from "./common";

/** Graph calls as the emulator saw them, by kind, per profile, and against issue 7's call target. */

export interface CallCounts {
    /** Admitted requests (anything but 429), by "METHOD operation": "POST create", "POST createToken", "GET get", ... */
    byKind: Record<string, number>;
    /** Per profile: admitted calls of each kind divided by the number of profiles. */
    perProfile: Record<string, number>;
    throttled: number;
    /** Answers >= 400 other than 429. */
    errors: number;
    total: number;
    /** Most GETs of one profile by id. */
    maxGetsPerProfile: number;
    /** Most createToken calls on one profile. */
    maxTokenCallsPerProfile: number;
}

export function countCalls(log: LoggedRequest[], profiles: number): CallCounts {
    const byKind: Record<string, number> = {};
    const gets = new Map<string, number>();
    const tokens = new Map<string, number>();
    let throttled = 0;
    let errors = 0;
    for (const r of log) {
        if (r.status === 429) {
            throttled++;
            continue;
        }
        if (r.status >= 400 || r.status === 0) errors++;
        const kind = `${r.method} ${r.operation}`;
        byKind[kind] = (byKind[kind] ?? 0) + 1;
        if (kind === "GET get") gets.set(r.path, (gets.get(r.path) ?? 0) + 1);
        if (kind === "POST createToken") tokens.set(r.path, (tokens.get(r.path) ?? 0) + 1);
    }
    const perProfile: Record<string, number> = {};
    for (const [k, v] of Object.entries(byKind)) perProfile[k] = profiles > 0 ? v / profiles : 0;
    return {
        byKind,
        perProfile,
        throttled,
        errors,
        total: log.length,
        maxGetsPerProfile: Math.max(0, ...gets.values()),
        maxTokenCallsPerProfile: Math.max(0, ...tokens.values()),
    };
}

export interface CallTarget {
    pass: boolean;
    why: string[];
}

/**
 * Exactly 1 write per created profile plus the token call where one is needed, and at most 2 reads: one create per
 * profile and no duplicate in the tenant, createToken exactly on the profiles that need it and once each, no other
 * write, and no profile read more than twice (a list, which no profile owns, counts against every profile).
 */
export function callTarget(c: CallCounts, work: NeededWork, stored: number): CallTarget {
    const why: string[] = [];
    const creates = c.byKind["POST create"] ?? 0;
    const tokenCalls = c.byKind["POST createToken"] ?? 0;
    const otherWrites = Object.entries(c.byKind)
        .filter(([k]) => !k.startsWith("GET ") && k !== "POST create" && k !== "POST createToken")
        .reduce((a, [, v]) => a + v, 0);
    const lists = c.byKind["GET list"] ?? 0;
    if (creates !== work.creates) why.push(`${creates} creates for ${work.creates} profiles`);
    if (stored !== work.profiles) why.push(`${stored} profiles in the tenant for ${work.profiles} declared`);
    if (tokenCalls !== work.tokenCalls || c.maxTokenCallsPerProfile > 1)
        why.push(`${tokenCalls} createToken calls for ${work.tokenCalls} needed (max ${c.maxTokenCallsPerProfile} on one profile)`);
    if (otherWrites > 0) why.push(`${otherWrites} other writes`);
    const maxReads = c.maxGetsPerProfile + (lists > 0 ? Math.ceil(lists / Math.max(1, work.profiles)) : 0);
    if (maxReads > 2) why.push(`up to ${c.maxGetsPerProfile} GETs on one profile${lists ? ` and ${lists} lists` : ""}`);
    return { pass: why.length === 0, why };
}

/**
 * Where the wall time went, from the emulator's log (times are when each answer was sent, on the same clock as
 * the phase's start): until the first answer (sign-in, first connections), the answer to the first write of each
 * window's worth of writes (write 1, L+1, 2L+1, ...), and the last write and last answer.
 */
export interface Timeline {
    firstAnswerMs: number;
    /** Answer times of write 1, L+1, 2L+1, ... after the phase started. */
    windowStartsMs: number[];
    /** Gaps between consecutive window starts: the window (W) plus whatever the client added. */
    windowGapsMs: number[];
    /** For each window's worth of writes, the time from its first to its last write answer. */
    windowSpreadsMs: number[];
    lastWriteMs: number;
    lastAnswerMs: number;
    wallMs: number;
}

export function timeline(log: LoggedRequest[], startedAt: number, wallMs: number, writeLimit: number): Timeline {
    const admitted = log.filter((r) => r.status !== 429).sort((a, b) => a.at - b.at);
    const writes = admitted.filter((r) => r.method !== "GET");
    const windowStartsMs: number[] = [];
    const windowSpreadsMs: number[] = [];
    for (let i = 0; i < writes.length; i += writeLimit) {
        windowStartsMs.push(writes[i].at - startedAt);
        windowSpreadsMs.push(writes[Math.min(writes.length, i + writeLimit) - 1].at - writes[i].at);
    }
    return {
        firstAnswerMs: admitted.length ? admitted[0].at - startedAt : NaN,
        windowStartsMs,
        windowGapsMs: windowStartsMs.slice(1).map((t, i) => t - windowStartsMs[i]),
        windowSpreadsMs,
        lastWriteMs: writes.length ? writes[writes.length - 1].at - startedAt : NaN,
        lastAnswerMs: admitted.length ? admitted[admitted.length - 1].at - startedAt : NaN,
        wallMs,
    };
}
