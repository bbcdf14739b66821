import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from "node:fs";
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
}

interface PersistedState {
    version: 1;
    profiles: StoredProfile[];
}

/**
 * Profiles in memory, optionally written through to a file before a write is acknowledged, so that an emulator
 * killed at any point and restarted lists every profile it ever answered 201 for.
 */
export class ProfileStore {
    private profiles = new Map<string, StoredProfile>();

    constructor(private readonly file?: string) {
        if (file && existsSync(file)) {
            const state = JSON.parse(readFileSync(file, "utf8")) as PersistedState;
            for (const p of state.profiles) this.profiles.set(key(p.collection, String(p.entity.id)), p);
        }
    }

    list(collection: CollectionName): StoredProfile[] {
        return [...this.profiles.values()].filter((p) => p.collection === collection);
    }

    all(): StoredProfile[] {
        return [...this.profiles.values()];
    }

    get(collection: CollectionName, id: string): StoredProfile | undefined {
        return this.profiles.get(key(collection, id.toLowerCase()));
    }

    put(profile: StoredProfile): void {
        this.profiles.set(key(profile.collection, String(profile.entity.id).toLowerCase()), profile);
        this.persist();
    }

    delete(collection: CollectionName, id: string): boolean {
        const removed = this.profiles.delete(key(collection, id.toLowerCase()));
        if (removed) this.persist();
        return removed;
    }

    clear(): void {
        this.profiles.clear();
        this.persist();
    }

    private persist(): void {
        if (!this.file) return;
        const state: PersistedState = { version: 1, profiles: [...this.profiles.values()] };
        const tmp = `${this.file}.tmp`;
        const fd = openSync(tmp, "w", 0o600);
        try {
            writeSync(fd, JSON.stringify(state));
            fsyncSync(fd);
        } finally {
            closeSync(fd);
        }
        renameSync(tmp, this.file);
    }
}

function key(collection: string, id: string): string {
    return `${collection}/${id.toLowerCase()}`;
}
