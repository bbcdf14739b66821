import { readdirSync, readFileSync } from "node:fs";

/**
 * Processes (not yet reaped) whose environment holds `name=value`: what a run's CLI passed down to its language
 * host, dynamic-provider host and their children. Linux only (/proc), as are the tests and the soak that use it.
 */
export function processesWithEnvironment(name: string, value: string): { pid: number; command: string }[] {
    const found: { pid: number; command: string }[] = [];
    for (const entry of readdirSync("/proc")) {
        if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
        try {
            if (!readFileSync(`/proc/${entry}/environ`, "latin1").split("\0").includes(`${name}=${value}`)) continue;
            found.push({ pid: Number(entry), command: readFileSync(`/proc/${entry}/cmdline`, "latin1").split("\0").join(" ").trim() });
        } catch {
            // Gone while we looked, or not ours to read.
        }
    }
    return found;
}
