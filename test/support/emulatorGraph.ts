import { expect } from "chai";
import { CollectionName, RunningEmulator } from "../../emulator";
import { call, RawResponse } from "./http";

/** Small helpers for talking to the emulator's Graph routes over bare HTTPS, and for asserting on what Graph answers. */

export const DEVICE_OWNER: CollectionName = "androidDeviceOwnerEnrollmentProfiles";
export const LEGACY: CollectionName = "androidForWorkEnrollmentProfiles";
export const COLLECTIONS: readonly CollectionName[] = [DEVICE_OWNER, LEGACY];

/** The explicit $select the spec says reads the secret token and QR fields. */
export const TOKEN_SELECT = "tokenValue,tokenCreationDateTime,tokenExpirationDateTime,qrCodeContent,qrCodeImage";
export const LEGACY_TOKEN_SELECT = "tokenValue,tokenExpirationDateTime,qrCodeContent,qrCodeImage";

export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const GRAPH_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/;
export const NEVER_EXPIRES = "9999-12-31T23:59:59.9999999Z";
export const NO_DATE = "0001-01-01T00:00:00Z";

export const MODES = {
    dedicated: "corporateOwnedDedicatedDevice",
    fullyManaged: "corporateOwnedFullyManaged",
    workProfile: "corporateOwnedWorkProfile",
    aospUserless: "corporateOwnedAOSPUserlessDevice",
    aospUserAssociated: "corporateOwnedAOSPUserAssociatedDevice",
} as const;

export const DAY_SECONDS = 86_400;
export const NINETY_DAYS_SECONDS = 90 * DAY_SECONDS;

// Graph bodies are asserted on property by property; typing each one would only restate the assertion.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface GraphCallOptions {
    /** Bearer token; null sends no Authorization header at all. */
    token?: string | null;
    body?: unknown;
    rawBody?: string;
    headers?: Record<string, string>;
}

/** Where a Graph caller sends its requests: an in-process emulator, or one started as a child process. */
export interface GraphTarget {
    readonly graphUrl: string;
    readonly caPem: string;
    issueToken?: RunningEmulator["issueToken"];
}

/** A bare Graph caller bound to one emulator and one bearer token (the default app's, read-write, unless given). */
export class Graph {
    readonly token: string;

    constructor(
        readonly target: GraphTarget,
        token?: string,
    ) {
        const issued = token ?? target.issueToken?.();
        if (issued === undefined) throw new Error("a Graph caller needs a token");
        this.token = issued;
    }

    /** `/deviceManagement/...` → the emulator's beta URL; absolute URLs (nextLinks) pass through. */
    url(path: string): string {
        return /^https:\/\//.test(path) ? path : `${this.target.graphUrl}/beta${path}`;
    }

    collection(collection: CollectionName, suffix = ""): string {
        return `/deviceManagement/${collection}${suffix}`;
    }

    item(collection: CollectionName, id: string, suffix = ""): string {
        return `/deviceManagement/${collection}/${id}${suffix}`;
    }

    request(method: string, path: string, opts: GraphCallOptions = {}): Promise<RawResponse> {
        const token = opts.token === null ? undefined : (opts.token ?? this.token);
        return call(this.target.caPem, method, this.url(path), { token, body: opts.body, rawBody: opts.rawBody, headers: opts.headers });
    }

    get(path: string, opts?: GraphCallOptions): Promise<RawResponse> {
        return this.request("GET", path, opts);
    }

    post(path: string, body?: unknown, opts: GraphCallOptions = {}): Promise<RawResponse> {
        return this.request("POST", path, { ...opts, body });
    }

    patch(path: string, body: unknown, opts: GraphCallOptions = {}): Promise<RawResponse> {
        return this.request("PATCH", path, { ...opts, body });
    }

    delete(path: string, opts?: GraphCallOptions): Promise<RawResponse> {
        return this.request("DELETE", path, opts);
    }

    /** POST a profile and insist on 201; returns the created entity (token fields included). */
    async create(collection: CollectionName, body: Json): Promise<Json> {
        const res = await this.post(this.collection(collection), body);
        if (res.status !== 201) throw new Error(`create in ${collection} answered ${res.status}: ${brief(res)}`);
        return res.json;
    }

    /** GET one profile (optionally with $select) and insist on 200. */
    async read(collection: CollectionName, id: string, select?: string): Promise<Json> {
        const res = await this.get(this.item(collection, id, select ? `?$select=${select}` : ""));
        if (res.status !== 200) throw new Error(`get ${collection}/${id} answered ${res.status}: ${brief(res)}`);
        return res.json;
    }

    /** Follows @odata.nextLink from `path` to the end; returns every page's body. */
    async pages(path: string): Promise<Json[]> {
        const pages: Json[] = [];
        let next: string | undefined = path;
        while (next) {
            const res = await this.get(next);
            if (res.status !== 200) throw new Error(`list ${next} answered ${res.status}: ${brief(res)}`);
            pages.push(res.json);
            next = res.json["@odata.nextLink"];
            if (pages.length > 1000) throw new Error("nextLink never ends");
        }
        return pages;
    }
}

let counter = 0;

/** A device-owner create body for `mode`, with a unique display name. */
export function deviceOwnerBody(mode: string, extra: Json = {}): Json {
    counter += 1;
    return { displayName: `${mode} ${counter}`, enrollmentMode: mode, ...extra };
}

/** A legacy (androidForWork) create body with a unique display name. */
export function legacyBody(extra: Json = {}): Json {
    counter += 1;
    return { displayName: `Legacy work profile ${counter}`, ...extra };
}

/** A minimal valid create body for either collection. */
export function bodyFor(collection: CollectionName, extra: Json = {}): Json {
    return collection === DEVICE_OWNER ? deviceOwnerBody(MODES.dedicated, extra) : legacyBody(extra);
}

/** The Intune service's error detail: Graph's `error.message` holds a JSON document with `_version: 3`. */
export function intuneMessage(res: RawResponse): Json {
    const message = res.json?.error?.message;
    expect(message, `error.message in ${brief(res)}`).to.be.a("string");
    const nested = JSON.parse(message as string);
    expect(nested._version).to.equal(3);
    return nested;
}

/** A response body short enough for an assertion message (entities carry a base64 PNG). */
export function brief(res: RawResponse): string {
    return res.text.length > 300 ? `${res.text.slice(0, 300)}…` : res.text;
}

/** Asserts a Graph error: status, `error.code`, the innerError fields, and (if given) text in the message. */
export function expectGraphError(res: RawResponse, status: number, code: string, messagePart?: string): void {
    expect(res.status, brief(res)).to.equal(status);
    expect(res.json?.error?.code, brief(res)).to.equal(code);
    const inner = res.json.error.innerError;
    expect(inner["request-id"]).to.match(GUID);
    expect(inner["client-request-id"]).to.be.a("string").and.not.equal("");
    expect(inner.date).to.match(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}/);
    if (messagePart !== undefined) expect(res.json.error.message).to.contain(messagePart);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Decodes qrCodeContent whether it is the provisioning JSON itself or base64 of it (the spec says: try both). */
export function provisioningDoc(content: string): Json {
    const text = content.trim().startsWith("{") ? content : Buffer.from(content, "base64").toString("utf8");
    return JSON.parse(text);
}

/** A call to the emulator's admin endpoint (`/_emulator/...`): no auth, JSON in and out. */
export function admin(emulator: RunningEmulator, method: string, path: string, body?: unknown): Promise<RawResponse> {
    return call(emulator.caPem, method, `${emulator.url}/_emulator${path}`, { body });
}

/** Asserts that a request's connection was dropped by the server instead of answered. */
export async function expectDropped(pending: Promise<RawResponse>): Promise<void> {
    let failure: (Error & { code?: string }) | undefined;
    let answered: RawResponse | undefined;
    try {
        answered = await pending;
    } catch (err) {
        failure = err as Error & { code?: string };
    }
    expect(answered?.status, "the request was answered instead of dropped").to.equal(undefined);
    expect(`${failure?.code ?? ""} ${failure?.message ?? ""}`).to.match(/ECONNRESET|socket hang up|EPIPE/);
}
