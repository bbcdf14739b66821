import { spawn } from "node:child_process";
import { scrub } from "../graph/secrets";

/**
 * The stack side, read through the user's own `pulumi` CLI so that every backend and secrets provider works:
 * `pulumi stack export` (no --show-secrets: ids, types and plain names need no decryption) and the stack's
 * `intune:*` config. Config values may be secrets; they are kept in memory and never printed.
 */

export interface StackLocation {
    /** The Pulumi project folder. */
    cwd: string;
    stack?: string;
    /** The `pulumi` executable (default: from PATH). */
    pulumi?: string;
}

export class PulumiCommandError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "PulumiCommandError";
    }
}

function pulumi(location: StackLocation, args: string[]): Promise<string> {
    const command = location.pulumi ?? "pulumi";
    const full = [...args, ...(location.stack ? ["--stack", location.stack] : []), "--non-interactive"];
    return new Promise((resolve, reject) => {
        const child = spawn(command, full, { cwd: location.cwd, stdio: ["ignore", "pipe", "pipe"], env: { PULUMI_SKIP_UPDATE_CHECK: "true", ...process.env } });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on("data", (c: Buffer) => out.push(c));
        child.stderr.on("data", (c: Buffer) => err.push(c));
        child.on("error", (e: NodeJS.ErrnoException) =>
            reject(
                new PulumiCommandError(e.code === "ENOENT" ? `the Pulumi CLI (${command}) was not found on PATH` : `could not run ${command}: ${e.message}`),
            ),
        );
        child.on("close", (code) => {
            if (code === 0) return resolve(Buffer.concat(out).toString("utf8"));
            // Only the error text is shown: stdout may hold decrypted config.
            const why = scrub(Buffer.concat(err).toString("utf8").trim()).split("\n").slice(-6).join("\n");
            reject(new PulumiCommandError(`\`pulumi ${args.slice(0, 2).join(" ")}\` in ${location.cwd} failed (exit ${code}):\n${why}`));
        });
    });
}

export async function exportStack(location: StackLocation): Promise<unknown> {
    const text = await pulumi(location, ["stack", "export"]);
    try {
        return JSON.parse(text);
    } catch {
        throw new PulumiCommandError("`pulumi stack export` printed something that is not JSON");
    }
}

/** The stack's config as the provider sees it (`intune:key` → value), secrets decrypted. */
export async function stackConfig(location: StackLocation): Promise<Map<string, string>> {
    const text = await pulumi(location, ["config", "--json", "--show-secrets"]);
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch {
        throw new PulumiCommandError("`pulumi config --json` printed something that is not JSON");
    }
    const values = new Map<string, string>();
    if (typeof parsed === "object" && parsed !== null) {
        for (const [key, entry] of Object.entries(parsed as Record<string, unknown>)) {
            if (typeof entry !== "object" || entry === null) continue;
            const { value, objectValue } = entry as { value?: unknown; objectValue?: unknown };
            if (typeof value === "string") values.set(key, value);
            else if (objectValue !== undefined) values.set(key, JSON.stringify(objectValue));
        }
    }
    return values;
}
