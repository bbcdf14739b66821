/**
 * At most `size` exchanges at once, the others waiting their turn in order. The agent would queue them too, but only
 * after each had built its whole HTTP request: a thousand reads at once then spent a few hundred milliseconds of CPU
 * building requests before the first connection's handshake could go on. Waiting here, a request is built when a
 * connection is free for it, while the others' answers are on their way.
 */
export class Slots {
    private free: number;
    /** A queue as an array and a read position: shift() copied the ~900 waiting behind the first at every turn. */
    private waiting: (() => void)[] = [];
    private head = 0;

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
        if (this.head === this.waiting.length) {
            this.free++;
            return;
        }
        const next = this.waiting[this.head++];
        // Cut off the part already served once it is most of the array, so a queue that never empties stays small.
        if (this.head >= 1024 && this.head * 2 >= this.waiting.length) [this.waiting, this.head] = [this.waiting.slice(this.head), 0];
        else if (this.head === this.waiting.length) [this.waiting, this.head] = [[], 0];
        next();
    }
}
