import { readdirSync, readFileSync } from "node:fs";

/** Parent pid of every process, from /proc (empty off Linux). */
function parentMap(): Map<number, number> {
    const parent = new Map<number, number>();
    let entries: string[];
    try {
        entries = readdirSync("/proc").filter((e) => /^\d+$/.test(e));
    } catch {
        return parent;
    }
    for (const e of entries) {
        try {
            const stat = readFileSync(`/proc/${e}/stat`, "utf8");
            // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ")".
            parent.set(Number(e), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
        } catch {
            // gone
        }
    }
    return parent;
}

/** Every process below `root` (children, grandchildren, ...), deepest first. */
export function descendantsOf(root: number = process.pid): number[] {
    const parent = parentMap();
    const depth = (pid: number): number => {
        let d = 0;
        for (let p = parent.get(pid); p !== undefined && p > 1 && d < 30; p = parent.get(p), d++) if (p === root) return d + 1;
        return 0;
    };
    return [...parent.keys()]
        .map((pid) => [pid, depth(pid)] as const)
        .filter(([, d]) => d > 0)
        .sort((a, b) => b[1] - a[1])
        .map(([pid]) => pid);
}

/**
 * Peak memory of the dynamic-provider host the engine starts for this benchmark's own `pulumi up`: the Linux
 * high-water mark (VmHWM) of every process below this one whose command line runs `dynamic-provider`, sampled while
 * the run goes. Only descendants of this process are looked at, never anyone else's hosts. Off Linux it reports
 * nothing.
 */
export class HostMemoryWatch {
    private timer: NodeJS.Timeout | undefined;
    private readonly peaks = new Map<number, number>();

    start(everyMs = 250): this {
        this.sample();
        this.timer = setInterval(() => this.sample(), everyMs);
        this.timer.unref();
        return this;
    }

    /** Peak RSS in MB of the largest host seen, or undefined if none was found. */
    stop(): number | undefined {
        if (this.timer) clearInterval(this.timer);
        this.sample();
        return this.peaks.size ? Math.max(...this.peaks.values()) / 1024 : undefined;
    }

    private sample(): void {
        for (const pid of descendantsOf(process.pid)) {
            try {
                if (!readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("dynamic-provider")) continue;
                const hwm = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
                if (hwm) this.peaks.set(pid, Math.max(this.peaks.get(pid) ?? 0, Number(hwm[1])));
            } catch {
                // gone
            }
        }
    }
}
