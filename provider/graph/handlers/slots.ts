/**
 * At most `size` exchanges at once, the others waiting their turn in order. The agent would queue them too, but only
 * after each had built its whole HTTP request: a thousand reads at once then spent a few hundred milliseconds of CPU
 * building requests before the first connection's handshake could go on. Waiting here, a request is built when a
 * connection is free for it, while the others' answers are on their way.
 */
export class Slots {
    private free: number;
    private readonly waiting: (() => void)[] = [];

    constructor(size: number) {
        this.free = size;
    }

    take(): Promise<void> {
        if (this.free > 0) {
            this.free--;
            return Promise.resolve();
        }
        return new Promise((resolve) => this.waiting.push(resolve));
    }

    give(): void {
        const next = this.waiting.shift();
        if (next) next();
        else this.free++;
    }
}
