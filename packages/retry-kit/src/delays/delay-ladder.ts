import type { BindingSpec, ExchangeSpec, QueueSpec, Topology } from '../topology.js';
import {
  type DelayRoute,
  type DelayTopology,
  type DelayTopologyOptions,
  delayQueueKind,
  merge,
  unroutable,
} from './delay-topology.js';

/** Options of the delay ladder (`delays: { topology: 'ladder' }`). */
export interface DelayLadderOptions extends DelayTopologyOptions {
  /** The smallest delay step, in ms: delays are rounded to it. @default 10 */
  resolution?: number;
  /** The base delays are written in: one queue per non-zero digit at each level, one hop per non-zero digit. @default 16 */
  radix?: number;
  /** Number of levels (digits); the longest delay is (radix^levels - 1) × resolution. @default 7 at radix 16 (31 days at 10 ms) */
  levels?: number;
}

/** The longest delay the default ladder gives, in steps: 2^28 - 1 (31 days at 10 ms). */
const DEFAULT_STEPS = 2 ** 28;
/** RabbitMQ takes queue TTLs up to 2^32 - 1 ms. */
const MAX_TTL = 2 ** 32 - 1;

/** One queue of the ladder: it waits `digit` × radix^`level` steps. */
interface Rung {
  level: number;
  digit: number;
}

/**
 * Delay levels in base `radix`: level i has one queue per digit 1 to radix-1,
 * whose TTL is digit × radix^i × resolution, and a delay of n steps visits
 * one queue per non-zero digit of n, highest first (at radix 16, 130 steps =
 * 0x82: level 1's digit 8, then level 0's digit 2). The message carries its
 * path as CC routing keys ("1>0.2", "0>out", "out>orders"); after each
 * queue, its level's direct exchange sends it straight to the next non-zero
 * digit's queue, or out of the ladder when none is left, where the last key
 * names its queue. A fixed set of queues gives any delay; a message makes one
 * hop per non-zero digit, and every exchange it passes is a hash lookup, not
 * a topic or headers match, whatever the number of work queues.
 * Radix 2 is the binary ladder: fewer queues (one per level), more hops.
 */
export class DelayLadder implements DelayTopology {
  readonly quantises = false;
  readonly #prefix: string;
  readonly #resolution: number;
  readonly #radix: number;
  readonly #levels: number;
  readonly queueType: 'classic' | 'quorum';

  get queueCount(): number {
    return this.#levels * (this.#radix - 1);
  }

  constructor(options: DelayLadderOptions = {}) {
    this.#prefix = options.prefix ?? 'retry-kit';
    this.#resolution = options.resolution ?? 10;
    this.#radix = options.radix ?? 16;
    this.queueType = options.queueType ?? 'classic';
    if (!Number.isInteger(this.#radix) || this.#radix < 2 || this.#radix > 64) {
      throw new RangeError(`radix must be a whole number from 2 to 64, not ${this.#radix}`);
    }
    this.#levels = options.levels ?? this.#defaultLevels();
    // The top queue waits (radix-1) × radix^(levels-1) steps: its TTL must fit.
    if (
      !Number.isInteger(this.#levels) ||
      this.#levels < 1 ||
      this.#ttl({ level: this.#levels - 1, digit: this.#radix - 1 }) > MAX_TTL
    ) {
      throw new RangeError(
        `levels must be a whole number from 1 up to where (radix-1) × radix^(levels-1) × resolution fits in 2^32-1 ms`,
      );
    }
  }

  /** Enough levels for 2^28 steps, or as many as fit under the largest TTL. */
  #defaultLevels(): number {
    let levels = 1;
    while (this.#radix ** levels < DEFAULT_STEPS && this.#ttl({ level: levels, digit: this.#radix - 1 }) <= MAX_TTL)
      levels++;
    return levels;
  }

  /** The longest delay the ladder can give, in ms. */
  get maxDelay(): number {
    return (this.#radix ** this.#levels - 1) * this.#resolution;
  }

  #ttl(rung: Rung): number {
    return rung.digit * this.#radix ** rung.level * this.#resolution;
  }

  /** `level.digit`; the binary ladder's queues are named by level alone (its only digit is 1). */
  #rungName(rung: Rung): string {
    return this.#radix === 2 ? `${rung.level}` : `${rung.level}.${rung.digit}`;
  }

  #rungQueue(rung: Rung): string {
    return `${this.#prefix}.level.${this.#rungName(rung)}`;
  }

  #afterLevel(level: number): string {
    return `${this.#prefix}.after.${level}`;
  }

  /**
   * The exchange out of the ladder, where each work queue is bound by its own
   * key. Direct, not headers: a headers exchange tries every binding, so the
   * broker's work per message grew with the number of work queues (4 to 8×
   * at 100, measured).
   */
  #outExchange(): string {
    return `${this.#prefix}.ladder-out`;
  }

  /** A routing key that names one step of a path: after level `from`, go to `to`'s queue (or out). */
  #step(from: number, to: Rung | 'out'): string {
    return `${this.#prefix}:${from}>${to === 'out' ? to : this.#rungName(to)}`;
  }

  /** The key out of the ladder to `queue`. Namespaced: the default exchange would deliver a bare queue name at once. */
  #outTo(queue: string): string {
    const key = `${this.#prefix}:out>${queue}`;
    if (Buffer.byteLength(key) > 255)
      throw new RangeError(
        `the ladder cannot return to a queue named ${queue}: its routing key ${key} is over 255 bytes`,
      );
    return key;
  }

  #rungsOf(level: number): Rung[] {
    return Array.from({ length: this.#radix - 1 }, (_, i) => ({ level, digit: i + 1 }));
  }

  shared(): Topology {
    const parking = unroutable(this.#prefix, this.queueType);
    const out = this.#outExchange();
    const exchanges: ExchangeSpec[] = [{ name: out, type: 'direct', alternateExchange: parking.exchange }];
    const queues: QueueSpec[] = [];
    const bindings: BindingSpec[] = [];
    for (let level = 0; level < this.#levels; level++) {
      const after = this.#afterLevel(level);
      exchanges.push({ name: after, type: 'direct', alternateExchange: parking.exchange });
      for (const rung of this.#rungsOf(level)) {
        queues.push({
          name: this.#rungQueue(rung),
          ...delayQueueKind(this.queueType),
          messageTtl: this.#ttl(rung),
          deadLetterExchange: after,
        });
      }
      // On: straight to the next non-zero digit's queue, or out when this was the last.
      for (let lower = 0; lower < level; lower++) {
        for (const next of this.#rungsOf(lower)) {
          bindings.push({ source: after, queue: this.#rungQueue(next), routingKey: this.#step(level, next) });
        }
      }
      bindings.push({ source: after, exchange: out, routingKey: this.#step(level, 'out') });
    }
    return merge(parking.topology, { exchanges, queues, bindings });
  }

  returnTo(queue: string): Topology {
    return {
      bindings: [{ source: this.#outExchange(), queue, routingKey: this.#outTo(queue) }],
    };
  }

  /** The queues a delay visits: its non-zero digits, highest level first. */
  path(delay: number): Rung[] {
    let steps = Math.min(Math.round(delay / this.#resolution), this.#radix ** this.#levels - 1);
    const rungs: Rung[] = [];
    for (let level = 0; steps > 0; level++) {
      const digit = steps % this.#radix;
      if (digit > 0) rungs.unshift({ level, digit });
      steps = (steps - digit) / this.#radix;
    }
    return rungs;
  }

  async route(delay: number, queue: string): Promise<DelayRoute> {
    const path = this.path(delay);
    const [first] = path;
    if (first === undefined) return { exchange: this.#outExchange(), routingKey: this.#outTo(queue) };
    // Dead-lettering keeps a message's CC routing keys, so the whole path
    // travels with it: each level's direct exchange finds the one step that
    // starts at that level, and the exchange out finds the queue's key. The
    // default exchange ignores them (no queue has such a name), so only the
    // first queue gets the message.
    const steps = path.map((rung, i) => this.#step(rung.level, path[i + 1] ?? 'out'));
    return { exchange: '', routingKey: this.#rungQueue(first), cc: [...steps, this.#outTo(queue)] };
  }

  reset(): void {}
}
