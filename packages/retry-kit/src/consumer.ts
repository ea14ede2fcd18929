import { setTimeout as sleep } from 'node:timers/promises';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { Delivery, Settlement } from './handling.js';
import type { Logger } from './logger.js';
import type { RetryPolicy } from './retry/policy.js';

/** Options of `RabbitClient.consume`: how many at once, the retry policy, where dead letters go. */
export interface ConsumeOptions<T = unknown> {
  /** Messages the broker hands over before earlier ones are settled; 0 for no limit. @default 10 */
  prefetch?: number;
  /** How many handlers run at once; the rest of what the broker handed over waits its turn. @default prefetch, or 1 when prefetch is 0 */
  concurrency?: number;
  /** When and how often failures are retried. @default the client's `retry` */
  retry?: RetryPolicy;
  /**
   * Where messages go that cannot or may no longer be handled; declared quorum
   * when the client's delays are, or it declared `queue` quorum. Tools that read
   * it (`retry-kit inspect`, `dead`) take it as `--dead-letter-queue`. @default `${queue}.dead`
   */
  deadLetterQueue?: string;
  /** Checks a decoded payload; throw to dead-letter it as 'invalid'. Fits `schema.parse` of most schema libraries. */
  validate?: (payload: unknown, delivery: Delivery) => T;
  /** A queue chain: what the handler returns is published (confirmed) to this queue before the ack. */
  next?: string;
}

/** How long after its last ack a consumer's channel stays open when closing (see closeChannel). */
const ACK_SETTLE_MS = 300;

/** Back-off before giving a message back after its retry could not be stored. */
const REQUEUE_PAUSE_MS = 1_000;

interface ConsumerOptions {
  queue: string;
  /** Handles a message and says how to settle it; never throws. */
  process: (message: ConsumeMessage) => Promise<Settlement>;
  prefetch: number;
  concurrency: number;
  logger: Logger;
  /** Told when the channel dies while its connection lives on. */
  onChannelLost: (model: ChannelModel) => void;
}

/**
 * One consumer of one queue, on a channel of its own so its prefetch and its
 * failures stay its own. Re-created on every new connection.
 */
export class Consumer {
  readonly queue: string;
  /** What to call this consumer in a log line. */
  get label(): string {
    return `the consumer of "${this.queue}"`;
  }
  readonly #process: (message: ConsumeMessage) => Promise<Settlement>;
  readonly #prefetch: number;
  readonly #concurrency: number;
  /** Delivered messages waiting for a free handler slot. */
  readonly #waiting: (() => void)[] = [];
  #running = 0;
  readonly #logger: Logger;
  readonly #onChannelLost: (model: ChannelModel) => void;
  #channel: Channel | undefined;
  #consumerTag: string | undefined;
  #stopped = false;
  #inFlight = 0;
  #idle: (() => void) | undefined;
  #lastSettledAt = 0;

  /** @internal create consumers with `RabbitClient.consume` */
  constructor(options: ConsumerOptions) {
    this.queue = options.queue;
    this.#process = options.process;
    this.#prefetch = options.prefetch;
    this.#concurrency = Math.max(1, options.concurrency);
    this.#logger = options.logger;
    this.#onChannelLost = options.onChannelLost;
  }

  /** @internal Starts consuming on `model`; called for each new connection. */
  async start(model: ChannelModel): Promise<void> {
    if (this.#stopped) return;
    const channel = await model.createChannel();
    channel.on('error', (error: Error) =>
      this.#logger.warn(`consumer of "${this.queue}": channel error: ${error.message}`),
    );
    channel.on('close', () => {
      if (!this.#stopped && this.#channel === channel) this.#onChannelLost(model);
    });
    await channel.prefetch(this.#prefetch);
    const { consumerTag } = await channel.consume(this.queue, (message) => {
      if (message === null) {
        this.#logger.warn(`the broker cancelled the consumer of "${this.queue}" (queue deleted?)`);
        return;
      }
      void this.#handle(channel, message);
    });
    // Only now: a channel that dies while starting is the caller's to retry.
    this.#channel = channel;
    this.#consumerTag = consumerTag;
  }

  async #handle(channel: Channel, message: ConsumeMessage): Promise<void> {
    this.#inFlight++;
    try {
      if (this.#running >= this.#concurrency) await new Promise<void>((resolve) => this.#waiting.push(resolve));
      if (this.#stopped) {
        // Shutting down: what was handed over but not started goes back at once.
        settle(channel, message, 'requeue');
        this.#waiting.shift()?.();
        return;
      }
      this.#running++;
      try {
        const settlement = await this.#process(message);
        if (settlement === 'requeue') await sleep(REQUEUE_PAUSE_MS);
        settle(channel, message, settlement);
        this.#lastSettledAt = Date.now();
      } finally {
        this.#running--;
        this.#waiting.shift()?.();
      }
    } finally {
      if (--this.#inFlight === 0) this.#idle?.();
    }
  }

  /** @internal Stops taking new messages; handlers already running go on. */
  async stopConsuming(): Promise<void> {
    this.#stopped = true;
    const channel = this.#channel;
    if (channel && this.#consumerTag) await channel.cancel(this.#consumerTag).catch(() => {});
  }

  /** @internal Resolves when no handler is running. */
  async settled(): Promise<void> {
    while (this.#inFlight > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
  }

  /** Stops consuming, waits for running handlers, and closes the channel. */
  async cancel(): Promise<void> {
    await this.stopConsuming();
    await this.settled();
    await this.closeChannel();
  }

  /** @internal */
  async closeChannel(): Promise<void> {
    // RabbitMQ can ignore acks a quorum queue gets just before their channel
    // closes (rabbitmq-server issue 10327): those messages come back. Nothing
    // in AMQP says when an ack is settled, so a consumer that acked a moment
    // ago waits that moment out (measured: hundreds of 7,500 acked messages came back without it).
    const sinceLastSettle = Date.now() - this.#lastSettledAt;
    if (this.#channel && sinceLastSettle < ACK_SETTLE_MS) await sleep(ACK_SETTLE_MS - sinceLastSettle);
    await this.#channel?.close().catch(() => {});
    this.#channel = undefined;
  }
}

/**
 * Acks or gives back on the channel the message came on. If that channel died
 * meanwhile, the delivery tag means nothing any more: the broker has already
 * put the message back for redelivery, so there is nothing to do.
 */
function settle(channel: Channel, message: ConsumeMessage, settlement: Settlement): void {
  try {
    if (settlement === 'ack') channel.ack(message);
    else channel.nack(message, false, true);
  } catch {
    // IllegalOperationError: channel closed; the broker redelivers the message.
  }
}
