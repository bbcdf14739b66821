import { randomBytes } from "node:crypto";
import {
    BigIntStats,
    closeSync,
    fstatSync,
    fsyncSync,
    linkSync,
    mkdirSync,
    openSync,
    readdirSync,
    readFileSync,
    renameSync,
    statSync,
    unlinkSync,
    writeFileSync,
} from "node:fs";
import { hostname } from "node:os";
import { basename, dirname, join } from "node:path";
import { CollectionName } from "./profileTypes";

export type Entity = Record<string, unknown>;

export interface StoredProfile {
    collection: CollectionName;
    /** The whole entity as the service holds it, secrets included. */
    entity: Entity;
    /** Real time of creation, for the eventual-consistency window. */
    createdAt: number;
    /** The version before the last PATCH and until when reads still see it. */
    previous?: { entity: Entity; until: number };
    builtIn?: boolean;
    /** The enrollment-time device membership target: held beside the entity, never a property of it. */
    membershipTarget?: { targetType: string; targetId: string };
}

interface PersistedState {
    version: 1;
    profiles: StoredProfile[];
    /** The tenant's singletons (its Android Enterprise settings), by name; absent in files written before them. */
    singletons?: Record<string, Entity>;
}

/** Everything the store holds, as one value: what a write edits and persists together. */
interface StoreState {
    profiles: Map<string, StoredProfile>;
    singletons: Record<string, Entity>;
}

/**
 * The emulator's state file failed: nothing was changed. Its message says so in words no one can take for an
 * Intune outage, because it is answered over Graph to clients that otherwise only ever talk to Intune.
 */
export class EmulatorStateError extends Error {
    constructor(
        readonly file: string,
        doing: "read" | "save",
        cause: unknown,
    ) {
        super(
            `The local Intune emulator could not ${doing} its state file ${file}: ${describe(cause)}. ` +
                `Nothing was changed. This is a failure of the emulator on this machine, not of Microsoft Intune.`,
        );
        this.name = "EmulatorStateError";
    }
}

export interface StoreOptions {
    /** How long a write waits for another process's lock on the state file before it fails. */
    lockTimeoutMs?: number;
}

/**
 * Profiles in memory, optionally backed by a file that several processes may share (two `pulumi up` of two stacks in
 * one folder each embed an emulator on the same `.intune-emulator/state.json`). Every write takes the file's lock,
 * re-reads the file, applies itself to that latest state, and persists it durably before memory changes and before
 * the request is answered; reads pick up other processes' writes. So an emulator killed at any point and restarted
 * lists every profile it ever answered 201 for, and no process overwrites another's profiles.
 */
export class ProfileStore {
    private state: StoreState = { profiles: new Map(), singletons: {} };
    private readonly file?: StateFile;

    constructor(file?: string, options: StoreOptions = {}) {
        if (file) {
            this.file = new StateFile(file, options.lockTimeoutMs ?? 15_000);
            this.refresh();
        }
    }

    list(collection: CollectionName): StoredProfile[] {
        return this.all().filter((p) => p.collection === collection);
    }

    all(): StoredProfile[] {
        this.refresh();
        return [...this.state.profiles.values()];
    }

    get(collection: CollectionName, id: string): StoredProfile | undefined {
        this.refresh();
        return this.state.profiles.get(key(collection, id));
    }

    /** Adds or replaces a profile. */
    put(profile: StoredProfile): void {
        this.change(({ profiles }) => {
            profiles.set(keyOf(profile), profile);
            return true;
        });
    }

    /** Replaces a profile that still exists; false when another process (or request) deleted it meanwhile. */
    replace(profile: StoredProfile): boolean {
        return this.change(({ profiles }) => {
            if (!profiles.has(keyOf(profile))) return false;
            profiles.set(keyOf(profile), profile);
            return true;
        });
    }

    delete(collection: CollectionName, id: string): boolean {
        return this.change(({ profiles }) => profiles.delete(key(collection, id)));
    }

    /** A tenant-wide singleton as the service holds it; undefined until one was stored (the emulator's start value applies). */
    getSingleton(name: string): Entity | undefined {
        this.refresh();
        const found = this.state.singletons[name];
        return found === undefined ? undefined : { ...found };
    }

    putSingleton(name: string, entity: Entity): void {
        this.change(({ singletons }) => {
            singletons[name] = entity;
            return true;
        });
    }

    /** Empties the tenant: no profiles, and every singleton back to the emulator's start value. */
    clear(): void {
        this.change((state) => {
            const had = state.profiles.size > 0 || Object.keys(state.singletons).length > 0;
            state.profiles.clear();
            for (const name of Object.keys(state.singletons)) delete state.singletons[name];
            return had;
        });
    }

    /** Picks up what other processes wrote since this one last looked. */
    private refresh(): void {
        if (!this.file) return;
        const loaded = this.file.loadIfChanged();
        if (loaded) this.state = { profiles: new Map(loaded.profiles.map((p) => [keyOf(p), p])), singletons: loaded.singletons ?? {} };
    }

    /**
     * Applies `edit` to a copy of the latest state and persists the copy; only once it is on disk does it become the
     * state in memory. A failure leaves memory as the file is, and throws EmulatorStateError.
     */
    private change(edit: (state: StoreState) => boolean): boolean {
        const file = this.file;
        if (!file) return edit(this.state);
        return file.locked(() => {
            this.refresh();
            const next: StoreState = { profiles: new Map(this.state.profiles), singletons: { ...this.state.singletons } };
            if (!edit(next)) return false;
            file.write({ version: 1, profiles: [...next.profiles.values()], singletons: next.singletons });
            this.state = next;
            return true;
        });
    }
}

function key(collection: string, id: string): string {
    return `${collection}/${id.toLowerCase()}`;
}

function keyOf(p: StoredProfile): string {
    return key(p.collection, String(p.entity.id));
}

/** Thrown inside a locked section when another process broke our lock as stale: the section is run again. */
class LockLost extends Error {}

/** Random bytes in a temporary file's name, and the shape of that name after `state.json.`: pid, nonce, `.tmp`. */
const TMP_NONCE_BYTES = 6;
const TMP_NAME = new RegExp(`^(\\d+)\\.[0-9a-f]{${TMP_NONCE_BYTES * 2}}\\.tmp$`);

/** A lock older than this is stale whoever holds it: a write holds it for milliseconds. */
const STALE_AFTER_MS = 60_000;
/** A lock file without readable content is stale after this long (its writer died between create and write). */
const UNREADABLE_STALE_AFTER_MS = 5_000;

/**
 * The state file on disk: an O_EXCL lock file beside it (`state.json.lock`, naming its holder's pid and host so a
 * dead holder's lock is broken), writes to a uniquely named temporary file that is fsynced and renamed over the
 * state, then the folder fsynced so the rename itself survives a crash.
 */
class StateFile {
    private readonly lockPath: string;
    /** Identity of the file content this process last loaded or wrote (device, inode, size, times). */
    private seen: string | undefined;
    /** The content of our lock file while we hold it. */
    private held: string | undefined;
    /** Whether this process has cleared the temporary files that writers killed mid-write left beside the state. */
    private leftoversCleared = false;

    constructor(
        readonly path: string,
        private readonly lockTimeoutMs: number,
    ) {
        this.lockPath = `${path}.lock`;
        try {
            // The folder holds enrollment tokens: private to its owner when created here.
            mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
        } catch (err) {
            throw new EmulatorStateError(path, "save", err);
        }
    }

    /** The state in the file when it changed since this process last loaded or wrote it; otherwise undefined. */
    loadIfChanged(): PersistedState | undefined {
        let fd: number;
        try {
            fd = openSync(this.path, "r");
        } catch (err) {
            if (codeOf(err) !== "ENOENT") throw new EmulatorStateError(this.path, "read", err);
            if (this.seen === "absent") return undefined;
            this.seen = "absent";
            return { version: 1, profiles: [] };
        }
        try {
            // fstat and read of one open file: the content and its identity always belong together.
            const identity = identityOf(fstatSync(fd, { bigint: true }));
            if (identity === this.seen) return undefined;
            const state = JSON.parse(readFileSync(fd, "utf8")) as PersistedState;
            if (!state || !Array.isArray(state.profiles)) throw new Error("it is not an emulator state document");
            this.seen = identity;
            return state;
        } catch (err) {
            throw new EmulatorStateError(this.path, "read", err);
        } finally {
            closeSync(fd);
        }
    }

    write(state: PersistedState): void {
        const tmp = `${this.path}.${process.pid}.${randomBytes(TMP_NONCE_BYTES).toString("hex")}.tmp`;
        let renamed = false;
        try {
            mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
            const fd = openSync(tmp, "wx", 0o600);
            try {
                writeFileSync(fd, JSON.stringify(state));
                fsyncSync(fd);
            } finally {
                closeSync(fd);
            }
            this.assertStillHeld();
            renameSync(tmp, this.path);
            renamed = true;
            syncFolder(dirname(this.path));
            this.seen = identityOf(statSync(this.path, { bigint: true }));
        } catch (err) {
            if (!renamed) removeQuietly(tmp);
            if (err instanceof LockLost) throw err;
            throw new EmulatorStateError(this.path, "save", err);
        }
    }

    /** Runs `section` holding the lock; again, from the start, if the lock was broken under it. */
    locked<T>(section: () => T): T {
        for (let attempt = 1; ; attempt++) {
            this.acquire();
            try {
                if (!this.leftoversCleared) this.clearLeftovers();
                return section();
            } catch (err) {
                if (!(err instanceof LockLost) || attempt >= 3) {
                    throw err instanceof LockLost ? new EmulatorStateError(this.path, "save", "its lock kept being taken over") : err;
                }
            } finally {
                this.release();
            }
        }
    }

    private acquire(): void {
        const mine = JSON.stringify({ pid: process.pid, host: hostname(), nonce: randomBytes(8).toString("hex"), at: new Date().toISOString() });
        const deadline = Date.now() + this.lockTimeoutMs;
        for (let wait = 1; ; wait = Math.min(wait * 2, 40)) {
            try {
                const fd = openSync(this.lockPath, "wx", 0o600);
                try {
                    writeFileSync(fd, mine);
                } finally {
                    closeSync(fd);
                }
                this.held = mine;
                return;
            } catch (err) {
                if (codeOf(err) !== "EEXIST") throw new EmulatorStateError(this.path, "save", err);
            }
            const holder = readLock(this.lockPath);
            if (holder !== undefined && isStale(holder)) {
                this.breakLock(holder.text);
                continue;
            }
            // Undefined: released meanwhile, or not readable at all; either way the deadline bounds the wait.
            if (Date.now() >= deadline) {
                throw new EmulatorStateError(
                    this.path,
                    "save",
                    holder === undefined
                        ? `its lock ${this.lockPath} exists but cannot be read`
                        : `another process (${holder.owner ? `pid ${holder.owner.pid} on ${holder.owner.host}` : "unknown"}) has held ` +
                              `its lock ${this.lockPath} for ${Math.round(holder.ageMs / 1000)} s; if no emulator uses this state file, delete the lock file`,
                );
            }
            sleepSync(wait + Math.random() * wait);
        }
    }

    /**
     * Removes a dead holder's lock. It is moved aside first and compared with what was judged stale: if a live process
     * took the lock in between, its lock is put back (and, should that fail, it notices before committing).
     */
    private breakLock(staleText: string): void {
        const aside = `${this.lockPath}.${process.pid}.${randomBytes(6).toString("hex")}.stale`;
        try {
            renameSync(this.lockPath, aside);
        } catch {
            return; // someone else broke or released it
        }
        try {
            if (readFileSync(aside, "utf8") !== staleText) linkSync(aside, this.lockPath);
        } catch {
            // the live holder finds out in assertStillHeld
        } finally {
            removeQuietly(aside);
        }
    }

    /**
     * Removes the temporary files of writers that died between writing and renaming (an emulator killed mid-save).
     * Each is a full copy of the state, enrollment tokens included, that nothing would ever read or delete. Runs under
     * the lock, so a live writer's file can only be one that lost the lock; its pid, alive here, spares it anyway.
     */
    private clearLeftovers(): void {
        this.leftoversCleared = true;
        const prefix = `${basename(this.path)}.`;
        let names: string[];
        try {
            names = readdirSync(dirname(this.path));
        } catch {
            return; // the write that follows reports an unusable folder
        }
        for (const name of names) {
            if (!name.startsWith(prefix)) continue;
            const written = TMP_NAME.exec(name.slice(prefix.length));
            if (!written) continue;
            const path = join(dirname(this.path), name);
            const pid = Number(written[1]);
            if (pid === process.pid || !processAlive(pid) || ageMs(path) > STALE_AFTER_MS) removeQuietly(path);
        }
    }

    private assertStillHeld(): void {
        let current: string | undefined;
        try {
            current = readFileSync(this.lockPath, "utf8");
        } catch {
            current = undefined;
        }
        if (current !== this.held) throw new LockLost();
    }

    private release(): void {
        const mine = this.held;
        this.held = undefined;
        try {
            if (mine !== undefined && readFileSync(this.lockPath, "utf8") === mine) unlinkSync(this.lockPath);
        } catch {
            // already gone: broken as stale by another process
        }
    }
}

interface LockHolder {
    text: string;
    ageMs: number;
    owner?: { pid: number; host: string };
}

function readLock(path: string): LockHolder | undefined {
    try {
        const ageMs = Date.now() - statSync(path).mtimeMs;
        const text = readFileSync(path, "utf8");
        let owner: LockHolder["owner"];
        try {
            const parsed = JSON.parse(text) as { pid?: unknown; host?: unknown };
            if (typeof parsed.pid === "number" && typeof parsed.host === "string") owner = { pid: parsed.pid, host: parsed.host };
        } catch {
            owner = undefined;
        }
        return { text, ageMs, owner };
    } catch {
        return undefined;
    }
}

function isStale(holder: LockHolder): boolean {
    if (!holder.owner) return holder.ageMs > UNREADABLE_STALE_AFTER_MS;
    if (holder.ageMs > STALE_AFTER_MS) return true;
    // A pid says nothing about a process on another host sharing the folder: there, only age counts.
    if (holder.owner.host !== hostname()) return false;
    // Our own pid: a previous process's (a container restarted with the same pid), since this one, waiting, holds none.
    return holder.owner.pid === process.pid || !processAlive(holder.owner.pid);
}

function processAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch (err) {
        return codeOf(err) === "EPERM";
    }
}

/** Makes a rename durable: the new directory entry is only on disk once the folder itself is synced. */
function syncFolder(dir: string): void {
    if (process.platform === "win32") return; // folders cannot be opened for fsync there
    const fd = openSync(dir, "r");
    try {
        fsyncSync(fd);
    } catch (err) {
        if (codeOf(err) !== "EINVAL") throw err; // a file system without folder fsync
    } finally {
        closeSync(fd);
    }
}

function identityOf(s: BigIntStats): string {
    return `${s.dev}:${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** The store is synchronous (every caller expects a write to be done when it returns), so it waits synchronously. */
function sleepSync(ms: number): void {
    Atomics.wait(sleeper, 0, 0, ms);
}

function ageMs(path: string): number {
    try {
        return Date.now() - statSync(path).mtimeMs;
    } catch {
        return 0;
    }
}

function removeQuietly(path: string): void {
    try {
        unlinkSync(path);
    } catch {
        // nothing to remove
    }
}

function codeOf(err: unknown): string | undefined {
    return typeof err === "object" && err !== null ? ((err as { code?: unknown }).code as string | undefined) : undefined;
}

function describe(cause: unknown): string {
    return cause instanceof Error ? cause.message : String(cause);
}
