import { setTimeout as sleep } from 'node:timers/promises';
import type { RabbitClient } from '../src/index.js';
import { deferred } from './helpers.js';

/** What a consumer saw of a numbered stream of messages. */
export class StreamTally {
  readonly seen = new Map<number, number>();
  #all = deferred();
  readonly total: number;

  constructor(total: number) {
    this.total = total;
  }

  record(n: number): void {
    this.seen.set(n, (this.seen.get(n) ?? 0) + 1);
    if (this.seen.size === this.total) this.#all.resolve();
  }

  /** Resolves once every number has been seen at least once. */
  get complete(): Promise<void> {
    return this.#all.promise;
  }

  get duplicates(): number {
    let extra = 0;
    for (const count of this.seen.values()) extra += count - 1;
    return extra;
  }

  missing(): number[] {
    const missing: number[] = [];
    for (let n = 0; n < this.total; n++) if (!this.seen.has(n)) missing.push(n);
    return missing;
  }
}

/**
 * Publishes 0..total-1 to `queue`, at most `window` unconfirmed at a time and
 * at most `ratePerSecond`, calling `onProgress` with the number confirmed so
 * far after each confirm. The rate stretches the stream so faults injected
 * along it land while messages are in flight.
 */
export async function publishNumbers(
  rabbit: RabbitClient,
  queue: string,
  total: number,
  {
    window = 500,
    ratePerSecond = Number.POSITIVE_INFINITY,
    onProgress = () => {},
  }: { window?: number; ratePerSecond?: number; onProgress?: (confirmed: number) => void } = {},
): Promise<void> {
  let next = 0;
  let confirmed = 0;
  const started = Date.now();
  const worker = async () => {
    while (next < total) {
      const n = next++;
      const due = started + (n * 1000) / ratePerSecond;
      if (due > Date.now()) await sleep(due - Date.now());
      await rabbit.sendToQueue(queue, { n }, { messageId: `n-${n}` });
      confirmed++;
      onProgress(confirmed);
    }
  };
  await Promise.all(Array.from({ length: window }, worker));
}
