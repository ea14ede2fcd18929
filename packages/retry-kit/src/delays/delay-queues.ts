import type { Topology } from '../topology.js';
import {
  type DelayRoute,
  type DelayTopology,
  type DelayTopologyOptions,
  delayQueueKind,
  merge,
  unroutable,
} from './delay-topology.js';

/** Options of one delay queue per distinct delay (`delays: { topology: 'queues' }`, the default). */
export interface DelayQueuesOptions extends DelayTopologyOptions {
  /**
   * How long a delay queue may stay unused before RabbitMQ deletes it
   * (x-expires = its TTL + this). It is re-declared often enough that it can
   * never expire while it holds messages. @default max(TTL, 60000)
   */
  idleMs?: number;
}

/**
 * Rounds up to two significant digits (1234 → 1300, 60000 stays), so
 * arbitrary delays share at most 90 queues per power of ten, never arrive
 * early, and are at most 10 % (usually 1-5 %) late. Round delays stay exact.
 */
export function roundUpToTwoDigits(delay: number): number {
  const whole = Math.ceil(delay);
  if (whole < 100) return whole;
  const unit = 10 ** (Math.floor(Math.log10(whole)) - 1);
  return Math.ceil(whole / unit) * unit;
}

/**
 * One durable queue per distinct delay, shared by every work queue:
 * `<prefix>.delay.<ms>` with x-message-ttl = ms. A message goes in through a
 * fanout exchange of the same name, keeping the work queue's name as its
 * routing key; on expiry it is dead-lettered to `<prefix>.return`, a direct
 * exchange that sends it back to exactly the queue it failed in (never to
 * other queues bound where it was first published).
 */
export class DelayQueues implements DelayTopology {
  readonly quantises = true;
  readonly #prefix: string;
  readonly #options: DelayQueuesOptions;
  readonly queueType: 'classic' | 'quorum';
  /** When each delay queue was last declared by this process. */
  readonly #declaredAt = new Map<number, number>();
  /** Declarations under way, so concurrent publishes to a new delay declare it once. */
  readonly #declaring = new Map<number, Promise<void>>();

  constructor(options: DelayQueuesOptions = {}) {
    this.#prefix = options.prefix ?? 'retry-kit';
    this.#options = options;
    this.queueType = options.queueType ?? 'classic';
  }

  #returnExchange(): string {
    return `${this.#prefix}.return`;
  }

  shared(): Topology {
    const parking = unroutable(this.#prefix, this.queueType);
    return merge(parking.topology, {
      exchanges: [{ name: this.#returnExchange(), type: 'direct', alternateExchange: parking.exchange }],
    });
  }

  returnTo(queue: string): Topology {
    return { bindings: [{ source: this.#returnExchange(), queue, routingKey: queue }] };
  }

  /** The delay queue, and the fanout exchange in front of it, for `delay` ms. */
  queueName(delay: number): string {
    return `${this.#prefix}.delay.${delay}`;
  }

  #idleMs(delay: number): number {
    return this.#options.idleMs ?? Math.max(delay, 60_000);
  }

  async route(requested: number, queue: string, declare: (topology: Topology) => Promise<void>): Promise<DelayRoute> {
    if (requested <= 0) return { exchange: this.#returnExchange(), routingKey: queue };
    const delay = roundUpToTwoDigits(requested);
    const idleMs = this.#idleMs(delay);
    // x-expires counts from the last declaration. Declaring again at least
    // every idleMs/2 means a queue expires no sooner than TTL + idleMs/2 after
    // any publish to it: after its last message has left.
    const declaredAt = this.#declaredAt.get(delay);
    if (declaredAt === undefined || Date.now() - declaredAt > idleMs / 2) {
      let declaring = this.#declaring.get(delay);
      if (!declaring) {
        const startedAt = Date.now();
        const name = this.queueName(delay);
        declaring = declare({
          // Auto-delete: the exchange goes when x-expires removes its queue.
          exchanges: [{ name, type: 'fanout', autoDelete: true }],
          queues: [
            {
              name,
              ...delayQueueKind(this.queueType),
              messageTtl: delay,
              expires: delay + idleMs,
              deadLetterExchange: this.#returnExchange(),
            },
          ],
          bindings: [{ source: name, queue: name }],
        })
          .then(() => {
            this.#declaredAt.set(delay, startedAt);
          })
          .finally(() => this.#declaring.delete(delay));
        this.#declaring.set(delay, declaring);
      }
      await declaring;
    }
    return { exchange: this.queueName(delay), routingKey: queue };
  }

  get queueCount(): number {
    return this.#declaredAt.size;
  }

  reset(): void {
    this.#declaredAt.clear();
  }
}
