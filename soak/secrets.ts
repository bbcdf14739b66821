import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * Part 5: every secret the suite made (enrollment tokens, QR contents, Wi-Fi passwords, credentials) and everything
 * it produced (state files, logs, error messages, the emulator's files but its own store), so that one sweep at the
 * end can search the second for the first, in plain text.
 */

export type SecretKind = "token or QR content" | "Wi-Fi password" | "credential";

export interface Hit {
    kind: SecretKind;
    /** The first characters of the secret only: the report must not leak it either. */
    secretStart: string;
    where: string;
}

export interface SweepResult {
    secrets: number;
    byKind: Record<string, number>;
    places: number;
    files: number;
    bytes: number;
    hits: Hit[];
}

/** Shorter strings would match by chance (and no secret of the suite is this short). */
const MIN_SECRET_LENGTH = 8;
const KEY_LENGTH = 8;

export class Produced {
    private readonly secrets = new Map<string, SecretKind>();
    private readonly texts: { label: string; text: () => string }[] = [];
    private readonly roots: { path: string; exclude: Set<string> }[] = [];

    secret(value: string, kind: SecretKind = "token or QR content"): void {
        if (value.length >= MIN_SECRET_LENGTH && !this.secrets.has(value)) this.secrets.set(value, kind);
    }

    wifiPassword(value: string): void {
        this.secret(value, "Wi-Fi password");
    }

    credential(...values: string[]): void {
        for (const v of values) this.secret(v, "credential");
    }

    text(label: string, text: string): void {
        this.texts.push({ label, text: () => text });
    }

    /** Output of a process, read at sweep time. */
    process(label: string, text: () => string): void {
        this.texts.push({ label, text });
    }

    /** A file, or a folder searched recursively; `exclude` names files not to search (an emulator's own store). */
    path(path: string, exclude: string[] = []): void {
        this.roots.push({ path, exclude: new Set(exclude) });
    }

    private readonly cleanups: (() => void)[] = [];

    /** Runs after the sweep: what the parts left for it (state folders) goes then. */
    cleanup(fn: () => void): void {
        this.cleanups.push(fn);
    }

    runCleanups(): void {
        for (const fn of this.cleanups.splice(0)) {
            try {
                fn();
            } catch {
                // Best effort: a leftover folder under .pulumi-local is ignored by git.
            }
        }
    }

    get secretCount(): number {
        return this.secrets.size;
    }

    sweep(): SweepResult {
        // Secrets indexed by their first characters: one pass over each text finds every secret in it.
        const index = new Map<string, string[]>();
        for (const s of this.secrets.keys()) {
            const key = s.slice(0, KEY_LENGTH);
            const list = index.get(key);
            if (list) list.push(s);
            else index.set(key, [s]);
        }
        const hits: Hit[] = [];
        let places = 0;
        let bytes = 0;
        let files = 0;
        const search = (text: string, where: string): void => {
            places += 1;
            bytes += text.length;
            for (let i = 0; i + KEY_LENGTH <= text.length; i++) {
                const candidates = index.get(text.slice(i, i + KEY_LENGTH));
                if (!candidates) continue;
                for (const s of candidates) {
                    if (text.startsWith(s, i)) hits.push({ kind: this.secrets.get(s)!, secretStart: `${s.slice(0, 3)}…`, where });
                }
            }
        };
        for (const t of this.texts) search(t.text(), t.label);
        const walk = (path: string, exclude: Set<string>): void => {
            if (!existsSync(path) || exclude.has(path)) return;
            if (statSync(path).isDirectory()) {
                for (const entry of readdirSync(path)) walk(join(path, entry), exclude);
                return;
            }
            files += 1;
            search(readFileSync(path, "latin1"), path);
        };
        for (const root of this.roots) walk(root.path, root.exclude);
        const byKind: Record<string, number> = {};
        for (const kind of this.secrets.values()) byKind[kind] = (byKind[kind] ?? 0) + 1;
        return { secrets: this.secrets.size, byKind, places, files, bytes, hits };
    }
}
