import type { Options } from 'amqplib';
import type { Declarations } from '../declarations.js';
import { keptQueueKind } from '../delays/delay-topology.js';
import type { Delayer } from '../delays/delayer.js';
import type { Publisher } from '../publisher.js';
import type { DeadLetterReason } from './headers.js';

/** The dead-letter queue of `queue` unless its consumer names another. */
export function deadLetterQueueOf(queue: string): string {
  return `${queue}.dead`;
}

export interface FailureRoutesOptions {
  queue: string;
  deadLetterQueue: string;
  publisher: Publisher;
  delayer: Delayer;
  declarations: Declarations;
}

/**
 * Where a failed message of one queue goes: back to it after a delay, or to
 * its dead-letter queue. Nothing is declared until a message first fails, so
 * a consumer that never fails leaves no trace on the broker.
 */
export class FailureRoutes {
  readonly queue: string;
  readonly deadLetterQueue: string;
  readonly #publisher: Publisher;
  readonly #delayer: Delayer;
  readonly #declarations: Declarations;
  #prepared: Promise<void> | undefined;
  /** True once #prepared has resolved: a failure then costs no wait for it. */
  #ready = false;

  constructor(options: FailureRoutesOptions) {
    this.queue = options.queue;
    this.deadLetterQueue = options.deadLetterQueue;
    this.#publisher = options.publisher;
    this.#delayer = options.delayer;
    this.#declarations = options.declarations;
  }

  /** True when delays are rounded to a bounded set (the policy's delays are quantised to fit). */
  get quantisesDelays(): boolean {
    return this.#delayer.topology.quantises;
  }

  /** Publishes `content` back to the queue in `delay` ms; resolves when the broker has it. */
  async retry(content: Buffer, properties: Options.Publish, delay: number, attemptNumber: number): Promise<void> {
    if (!this.#ready) await this.#prepare();
    const route = await this.#delayer.route(delay, this.queue);
    // `properties` are the caller's own copy: the route's CC goes straight on.
    if (route.cc) properties.CC = route.cc;
    await this.#publisher.publish(route.exchange, route.routingKey, content, properties, {
      kind: 'retry',
      destination: this.queue,
      sourceQueue: this.queue,
      delay,
      attemptNumber,
    });
  }

  /** Publishes `content` to the dead-letter queue; resolves when the broker has it. */
  async deadLetter(
    content: Buffer,
    properties: Options.Publish,
    { reason, attemptNumber }: { reason: DeadLetterReason; attemptNumber: number },
  ): Promise<void> {
    if (!this.#ready) await this.#prepare();
    await this.#publisher.publish('', this.deadLetterQueue, content, properties, {
      kind: 'dead-letter',
      destination: this.deadLetterQueue,
      sourceQueue: this.queue,
      deadLetterReason: reason,
      attemptNumber,
    });
  }

  /** Publishes `content` to the end of its own queue (the crash-loop guard's count); resolves when the broker has it. */
  async putBack(content: Buffer, properties: Options.Publish): Promise<void> {
    await this.#publisher.publish('', this.queue, content, properties, {
      kind: 'redelivery',
      destination: this.queue,
      sourceQueue: this.queue,
    });
  }

  #prepare(): Promise<void> {
    this.#prepared ??= (async () => {
      await this.#declarations.declare({
        queues: [{ name: this.deadLetterQueue, ...keptQueueKind(this.#deadLetterQueueType()) }],
      });
      await this.#delayer.prepare(this.queue);
      this.#ready = true;
    })().catch((error: unknown) => {
      this.#prepared = undefined;
      throw error;
    });
    return this.#prepared;
  }

  /**
   * Quorum when the client runs on a cluster (its delays are quorum, or it
   * declared the work queue quorum): a classic queue whose node is down
   * cannot be declared, and this one is declared on every connection.
   */
  #deadLetterQueueType(): 'classic' | 'quorum' {
    const onCluster =
      this.#delayer.topology.queueType === 'quorum' || this.#declarations.queueType(this.queue) === 'quorum';
    return onCluster ? 'quorum' : 'classic';
  }
}
