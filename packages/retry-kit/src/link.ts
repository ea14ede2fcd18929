import type { ChannelModel } from 'amqplib';
import { ClosedError, TimeoutError } from './errors.js';

/**
 * The live connection, if any, and a way to wait for the next one. amqplib's
 * recovery replaces the underlying connection; everything in the kit asks
 * this for the current one instead of holding on to a dead one.
 */
export class Link {
  #current: ChannelModel | undefined;
  #closed = false;
  #waiters = new Set<{ resolve: (model: ChannelModel) => void; reject: (error: Error) => void }>();

  get current(): ChannelModel | undefined {
    return this.#current;
  }

  get closed(): boolean {
    return this.#closed;
  }

  up(model: ChannelModel): void {
    this.#current = model;
    for (const waiter of this.#waiters) waiter.resolve(model);
    this.#waiters.clear();
  }

  down(model?: ChannelModel): void {
    if (!model || this.#current === model) this.#current = undefined;
  }

  close(): void {
    this.#closed = true;
    this.#current = undefined;
    for (const waiter of this.#waiters) waiter.reject(new ClosedError('The client was closed'));
    this.#waiters.clear();
  }

  /** The current connection, or the next one if it comes before `deadline` (epoch ms). */
  async connection(deadline: number, what: string): Promise<ChannelModel> {
    if (this.#closed) throw new ClosedError(`Cannot ${what}: the client is closed`);
    if (this.#current) return this.#current;
    return new Promise<ChannelModel>((resolve, reject) => {
      const waiter = {
        resolve: (model: ChannelModel) => {
          clearTimeout(timer);
          resolve(model);
        },
        reject: (error: Error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(
        () => {
          this.#waiters.delete(waiter);
          reject(new TimeoutError(`Cannot ${what}: the broker connection did not come back in time`));
        },
        Math.max(0, deadline - Date.now()),
      );
      this.#waiters.add(waiter);
    });
  }
}
