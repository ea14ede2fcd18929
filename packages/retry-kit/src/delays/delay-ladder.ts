import type { BindingSpec, ExchangeSpec, QueueSpec, Topology } from '../topology.js';
import {
  type DelayRoute,
  type DelayTopology,
  type DelayTopologyOptions,
  delayQueueKind,
  merge,
  unroutable,
} from './delay-topology.js';

export interface DelayLadderOptions extends DelayTopologyOptions {
  /** The smallest delay step, in ms: delays are rounded to it. @default 10 */
  resolution?: number;
  /** Number of levels; the longest delay is (2^levels - 1) × resolution. @default 28 (31 days at 10 ms) */
  levels?: number;
}

/**
 * Binary delay levels: level i is a queue whose TTL is 2^i × resolution, and
 * a delay of d steps visits the levels of d's set bits, highest first (13 =
 * 8 + 4 + 1). A message's routing key lists those levels ("3.2.0"); after
 * each level, a topic exchange sends it straight to the next set bit, or home
 * when none is left. A fixed number of queues gives any delay, and a message
 * makes one hop per set bit, never one per level.
 */
export class DelayLadder implements DelayTopology {
  readonly quantises = false;
  readonly #prefix: string;
  readonly #resolution: number;
  readonly #levels: number;
  readonly #queueType: 'classic' | 'quorum';

  constructor(options: DelayLadderOptions = {}) {
    this.#prefix = options.prefix ?? 'retry-kit';
    this.#resolution = options.resolution ?? 10;
    this.#levels = options.levels ?? 28;
    this.#queueType = options.queueType ?? 'classic';
    // RabbitMQ takes TTLs up to 2^32-1 ms; the top level must fit.
    if (
      !Number.isInteger(this.#levels) ||
      this.#levels < 1 ||
      2 ** (this.#levels - 1) * this.#resolution > 2 ** 32 - 1
    ) {
      throw new RangeError(
        `levels must be a whole number from 1 up to where 2^(levels-1) × resolution fits in 2^32-1 ms`,
      );
    }
  }

  /** The longest delay the ladder can give, in ms. */
  get maxDelay(): number {
    return (2 ** this.#levels - 1) * this.#resolution;
  }

  levelQueue(level: number): string {
    return `${this.#prefix}.level.${level}`;
  }

  #entryExchange(): string {
    return `${this.#prefix}.ladder`;
  }

  #afterLevel(level: number): string {
    return `${this.#prefix}.after.${level}`;
  }

  /** Headers exchange: the routing key is the path, so the way home is the `retry-queue` header. */
  #returnExchange(): string {
    return `${this.#prefix}.ladder-return`;
  }

  shared(): Topology {
    const parking = unroutable(this.#prefix);
    const returnExchange = this.#returnExchange();
    const unroutableExchange = parking.exchange;
    const exchanges: ExchangeSpec[] = [
      { name: returnExchange, type: 'headers', alternateExchange: unroutableExchange },
      { name: this.#entryExchange(), type: 'topic', alternateExchange: unroutableExchange },
    ];
    const queues: QueueSpec[] = [];
    const bindings: BindingSpec[] = [];
    for (let level = 0; level < this.#levels; level++) {
      const after = this.#afterLevel(level);
      exchanges.push({ name: after, type: 'topic', alternateExchange: unroutableExchange });
      queues.push({
        name: this.levelQueue(level),
        ...delayQueueKind(this.#queueType),
        messageTtl: 2 ** level * this.#resolution,
        deadLetterExchange: after,
      });
      // In: a path whose first (highest) level is this one.
      bindings.push({ source: this.#entryExchange(), queue: this.levelQueue(level), routingKey: `${level}.#` });
      // Out: straight to the next set bit, or home when this was the last.
      for (let lower = 0; lower < level; lower++) {
        bindings.push({ source: after, queue: this.levelQueue(lower), routingKey: `#.${level}.${lower}.#` });
      }
      bindings.push({ source: after, exchange: returnExchange, routingKey: `#.${level}` });
    }
    return merge(parking.topology, { exchanges, queues, bindings });
  }

  returnTo(queue: string): Topology {
    return {
      bindings: [{ source: this.#returnExchange(), queue, arguments: { 'x-match': 'all', 'retry-queue': queue } }],
    };
  }

  /** The levels a delay visits, highest first. */
  path(delay: number): number[] {
    const steps = Math.min(Math.round(delay / this.#resolution), 2 ** this.#levels - 1);
    const levels: number[] = [];
    for (let level = this.#levels - 1; level >= 0; level--)
      if (Math.floor(steps / 2 ** level) % 2 === 1) levels.push(level);
    return levels;
  }

  async route(delay: number): Promise<DelayRoute> {
    const path = this.path(delay);
    if (path.length === 0) return { exchange: this.#returnExchange(), routingKey: '' };
    return { exchange: this.#entryExchange(), routingKey: path.join('.') };
  }

  reset(): void {}
}
