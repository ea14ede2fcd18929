import { HEADERS } from '../retry/headers.js';
import type { BindingSpec, ExchangeSpec, QueueSpec, Topology } from '../topology.js';
import {
  type DelayRoute,
  type DelayTopology,
  type DelayTopologyOptions,
  delayQueueKind,
  merge,
  unroutable,
} from './delay-topology.js';

/** Options of the binary delay ladder (`delays: { topology: 'ladder' }`). */
export interface DelayLadderOptions extends DelayTopologyOptions {
  /** The smallest delay step, in ms: delays are rounded to it. @default 10 */
  resolution?: number;
  /** Number of levels; the longest delay is (2^levels - 1) × resolution. @default 28 (31 days at 10 ms) */
  levels?: number;
}

/**
 * Binary delay levels: level i is a queue whose TTL is 2^i × resolution, and
 * a delay of d steps visits the levels of d's set bits, highest first (13 =
 * 8 + 4 + 1). The message carries its path as CC routing keys ("3>2", "2>0",
 * "0>home"); after each level, a direct exchange sends it straight to the
 * next set bit, or home when none is left. A fixed number of queues gives any
 * delay; a message makes one hop per set bit, never one per level, and each
 * hop is a hash lookup, not a topic match.
 */
export class DelayLadder implements DelayTopology {
  readonly quantises = false;
  readonly #prefix: string;
  readonly #resolution: number;
  readonly #levels: number;
  readonly queueType: 'classic' | 'quorum';

  get queueCount(): number {
    return this.#levels;
  }

  constructor(options: DelayLadderOptions = {}) {
    this.#prefix = options.prefix ?? 'retry-kit';
    this.#resolution = options.resolution ?? 10;
    this.#levels = options.levels ?? 28;
    this.queueType = options.queueType ?? 'classic';
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

  #afterLevel(level: number): string {
    return `${this.#prefix}.after.${level}`;
  }

  /** Headers exchange: the routing key is the path, so the way home is the `retry-queue` header. */
  #returnExchange(): string {
    return `${this.#prefix}.ladder-return`;
  }

  /** A routing key that names one step of a path: after level `from`, go to level `to` (or home). */
  #step(from: number, to: number | 'home'): string {
    return `${this.#prefix}:${from}>${to}`;
  }

  shared(): Topology {
    const parking = unroutable(this.#prefix, this.queueType);
    const returnExchange = this.#returnExchange();
    const exchanges: ExchangeSpec[] = [{ name: returnExchange, type: 'headers', alternateExchange: parking.exchange }];
    const queues: QueueSpec[] = [];
    const bindings: BindingSpec[] = [];
    for (let level = 0; level < this.#levels; level++) {
      const after = this.#afterLevel(level);
      exchanges.push({ name: after, type: 'direct', alternateExchange: parking.exchange });
      queues.push({
        name: this.levelQueue(level),
        ...delayQueueKind(this.queueType),
        messageTtl: 2 ** level * this.#resolution,
        deadLetterExchange: after,
      });
      // Out: straight to the next set bit, or home when this was the last.
      for (let lower = 0; lower < level; lower++) {
        bindings.push({ source: after, queue: this.levelQueue(lower), routingKey: this.#step(level, lower) });
      }
      bindings.push({ source: after, exchange: returnExchange, routingKey: this.#step(level, 'home') });
    }
    return merge(parking.topology, { exchanges, queues, bindings });
  }

  returnTo(queue: string): Topology {
    return {
      bindings: [{ source: this.#returnExchange(), queue, arguments: { 'x-match': 'all', [HEADERS.queue]: queue } }],
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
    const [first] = path;
    if (first === undefined) return { exchange: this.#returnExchange(), routingKey: '' };
    // Dead-lettering keeps a message's CC routing keys, so the whole path
    // travels with it: each level's direct exchange finds the one step that
    // starts at that level. The default exchange ignores them (no queue has
    // such a name), so only the first level queue gets the message.
    const steps = path.map((level, i) => this.#step(level, path[i + 1] ?? 'home'));
    return { exchange: '', routingKey: this.levelQueue(first), cc: steps };
  }

  reset(): void {}
}
