import type { Topology } from '../topology.js';
import {
  type DelayRoute,
  type DelayTopology,
  type DelayTopologyOptions,
  delayQueueKind,
  names,
  returnBinding,
  sharedReturnTopology,
} from './delay-topology.js';

export interface DelayQueuesOptions extends DelayTopologyOptions {
  /**
   * How long a delay queue may stay unused before RabbitMQ deletes it
   * (x-expires = its TTL + this). It is re-declared often enough that it can
   * never expire while it holds messages. @default max(TTL, 60000)
   */
  idleMs?: number;
}

/**
 * One durable queue per distinct delay, shared by every work queue:
 * `<prefix>.delay.<ms>` with x-message-ttl = ms, dead-lettering to the return
 * exchange, which sends each message back to the queue it failed in.
 */
export class DelayQueues implements DelayTopology {
  readonly quantises = true;
  readonly #prefix: string;
  readonly #options: DelayQueuesOptions;
  /** When each delay queue was last declared by this process. */
  readonly #declaredAt = new Map<number, number>();

  constructor(options: DelayQueuesOptions = {}) {
    this.#prefix = options.prefix ?? 'retry-kit';
    this.#options = options;
  }

  shared(): Topology {
    return sharedReturnTopology(this.#prefix);
  }

  returnTo(queue: string): Topology {
    return returnBinding(this.#prefix, queue);
  }

  queueName(delay: number): string {
    return `${this.#prefix}.delay.${delay}`;
  }

  #idleMs(delay: number): number {
    return this.#options.idleMs ?? Math.max(delay, 60_000);
  }

  async route(delay: number, declare: (topology: Topology) => Promise<void>): Promise<DelayRoute> {
    if (delay <= 0) return { exchange: names(this.#prefix).returnExchange, routingKey: '' };
    const name = this.queueName(delay);
    const idleMs = this.#idleMs(delay);
    // x-expires counts from the last declaration. Declaring again at least
    // every idleMs/2 means a queue expires no sooner than TTL + idleMs/2 after
    // any publish to it: after its last message has left.
    const declaredAt = this.#declaredAt.get(delay);
    const now = Date.now();
    if (declaredAt === undefined || now - declaredAt > idleMs / 2) {
      await declare({
        queues: [
          {
            name,
            ...delayQueueKind(this.#options.queueType ?? 'classic'),
            messageTtl: delay,
            expires: delay + idleMs,
            deadLetterExchange: names(this.#prefix).returnExchange,
          },
        ],
      });
      this.#declaredAt.set(delay, now);
    }
    return { exchange: '', routingKey: name };
  }

  /** Delay queues this process has declared. */
  get declaredDelays(): number[] {
    return [...this.#declaredAt.keys()];
  }

  reset(): void {
    this.#declaredAt.clear();
  }
}
