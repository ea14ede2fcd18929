import type { Declarations } from '../declarations.js';
import type { Topology } from '../topology.js';
import type { DelayRoute, DelayTopology } from './delay-topology.js';

/**
 * The client's way to send a message to a queue after a delay: declares what
 * the delay topology needs for that queue once (and again after a reconnect,
 * with everything else declared), then says where to publish.
 */
export class Delayer {
  readonly topology: DelayTopology;
  readonly #declarations: Declarations;
  /** Queues whose way back from the delays is declared. */
  readonly #readyFor = new Map<string, Promise<void>>();

  constructor(topology: DelayTopology, declarations: Declarations) {
    this.topology = topology;
    this.#declarations = declarations;
  }

  /** Declares the shared delay topology and the way back to `queue`, once. */
  prepare(queue: string): Promise<void> {
    let ready = this.#readyFor.get(queue);
    if (!ready) {
      ready = (async () => {
        await this.#declarations.declare(this.topology.shared());
        await this.#declarations.declare(this.topology.returnTo(queue));
      })();
      ready.catch(() => this.#readyFor.delete(queue));
      this.#readyFor.set(queue, ready);
    }
    return ready;
  }

  /** Where to publish so the message reaches `queue` after `delay` ms. */
  async route(delay: number, queue: string): Promise<DelayRoute> {
    await this.prepare(queue);
    return this.topology.route(delay, queue, (topology: Topology) => this.#declarations.assert(topology));
  }
}
