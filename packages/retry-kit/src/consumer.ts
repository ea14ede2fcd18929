import { setTimeout as sleep } from 'node:timers/promises';
import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { type BreakerEvent, type BreakerOptions, type BreakerState, CircuitBreaker } from './breaker.js';
import type { Delivery } from './delivery.js';
import type { Processed, Settlement } from './handling.js';
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
  /**
   * Pause consuming while the handler's downstream is down: after this many
   * retryable failures in a row, messages wait in the queue without spending
   * attempts, and one is let through after a cool-down. @default none
   */
  breaker?: BreakerOptions;
  /**
   * The crash-loop guard: a message redelivered more than this many times
   * without being settled (its handler killed the worker, say) goes to the
   * dead-letter queue as 'crash-loop'; false turns it off. @default 10
   */
  maxRedeliveries?: number | false;
}

/** What a handler's run says of its downstream, for the breaker (undefined when the handler did not run). */
type Downstream = Processed['downstream'];

/** Redeliveries without a settlement before the crash-loop guard dead-letters a message. */
export const DEFAULT_MAX_REDELIVERIES = 10;

/** How long after its last ack a consumer's channel stays open when closing (see closeChannel). */
const ACK_SETTLE_MS = 300;

/** Back-off before giving a message back after its retry could not be stored. */
const REQUEUE_PAUSE_MS = 1_000;

interface ConsumerOptions {
  queue: string;
  /** Handles a message and says how to settle it (at once when it can); never throws. */
  process: (message: ConsumeMessage) => Processed | Promise<Processed>;
  prefetch: number;
  concurrency: number;
  logger: Logger;
  /** Told when the channel dies while its connection lives on. */
  onChannelLost: (model: ChannelModel) => void;
  breaker: BreakerOptions | undefined;
  onBreaker: (event: BreakerEvent) => void;
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
  readonly #process: (message: ConsumeMessage) => Processed | Promise<Processed>;
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
  readonly #breaker: CircuitBreaker | undefined;
  readonly #onBreaker: (event: BreakerEvent) => void;
  #trialTimer: NodeJS.Timeout | undefined;
  #trialRunning = false;

  /** @internal create consumers with `RabbitClient.consume` */
  constructor(options: ConsumerOptions) {
    this.queue = options.queue;
    this.#process = options.process;
    this.#prefetch = options.prefetch;
    this.#concurrency = Math.max(1, options.concurrency);
    this.#logger = options.logger;
    this.#onChannelLost = options.onChannelLost;
    this.#onBreaker = options.onBreaker;
    if (options.breaker) {
      this.#breaker = new CircuitBreaker(options.breaker, (state, coolDown) => this.#breakerChanged(state, coolDown));
    }
  }

  /** The circuit breaker's state, or undefined for a consumer without one. */
  get breakerState(): BreakerState | undefined {
    return this.#breaker?.state;
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
    const paused = this.#breaker !== undefined && this.#breaker.state !== 'closed';
    const consumerTag = paused ? undefined : await this.#consumeOn(channel);
    // Only now: a channel that dies while starting is the caller's to retry.
    this.#channel = channel;
    this.#consumerTag = consumerTag;
    // A trial still in its handler from the lost channel decides, then schedules the next.
    if (paused && !this.#trialTimer && !this.#trialRunning) this.#scheduleTrial();
  }

  async #consumeOn(channel: Channel): Promise<string> {
    const { consumerTag } = await channel.consume(this.queue, (message) => {
      if (message === null) {
        this.#logger.warn(`the broker cancelled the consumer of "${this.queue}" (queue deleted?)`);
        return;
      }
      const handled = this.#handle(channel, message, false);
      const breaker = this.#breaker;
      if (breaker) {
        void Promise.resolve(handled).then((downstream) => {
          if (downstream) breaker.record(downstream === 'down');
        });
      }
    });
    return consumerTag;
  }

  /**
   * Handles a delivery and settles it; returns (or resolves to) what the
   * handler's run says of its downstream (undefined when it did not run). In
   * a free slot, a message whose handling is synchronous is settled at once,
   * without a promise.
   */
  #handle(channel: Channel, message: ConsumeMessage, trial: boolean): Downstream | Promise<Downstream> {
    if (this.#running >= this.#concurrency || this.#stopped || this.#isPaused(trial)) {
      return this.#handleLater(channel, message, trial);
    }
    this.#inFlight++;
    this.#running++;
    return this.#run(channel, message);
  }

  /**
   * Waits for a slot (a freed slot passes straight to the first waiter); what
   * was handed over but cannot start (shutting down, breaker open) goes back
   * at once, without spending an attempt.
   */
  async #handleLater(channel: Channel, message: ConsumeMessage, trial: boolean): Promise<Downstream> {
    this.#inFlight++;
    if (this.#running >= this.#concurrency) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#running++;
    if (this.#stopped || this.#isPaused(trial)) {
      settle(channel, message, 'requeue');
      this.#slotFreed();
      return undefined;
    }
    return this.#run(channel, message);
  }

  /** Runs one message in the slot it holds; the caller has counted it in flight and running. */
  #run(channel: Channel, message: ConsumeMessage): Downstream | Promise<Downstream> {
    const processed = this.#process(message);
    if (processed instanceof Promise || processed.settlement === 'requeue') {
      return this.#settleLater(channel, message, processed);
    }
    settle(channel, message, processed.settlement);
    this.#lastSettledAt = Date.now();
    this.#slotFreed();
    return processed.downstream;
  }

  async #settleLater(
    channel: Channel,
    message: ConsumeMessage,
    pending: Processed | Promise<Processed>,
  ): Promise<Downstream> {
    try {
      const { settlement, downstream } = await pending;
      if (settlement === 'requeue') await sleep(REQUEUE_PAUSE_MS);
      settle(channel, message, settlement);
      this.#lastSettledAt = Date.now();
      return downstream;
    } finally {
      this.#slotFreed();
    }
  }

  /** Breaker open or half-open: deliveries other than its trial go back. */
  #isPaused(trial: boolean): boolean {
    return !trial && this.#breaker !== undefined && this.#breaker.state !== 'closed';
  }

  /** Passes the slot to the first message waiting for one, if any. */
  #slotFreed(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#running--;
    if (--this.#inFlight === 0) this.#idle?.();
  }

  #breakerChanged(state: BreakerState, coolDown: number): void {
    const where = `"${this.queue}": circuit breaker`;
    if (state === 'open') {
      this.#logger.warn(
        `${where} open: consuming paused for ${formatMs(coolDown)}; messages wait in the queue without spending attempts`,
      );
      this.#onBreaker({ queue: this.queue, state, coolDown });
      void this.#pause();
      this.#scheduleTrial();
    } else if (state === 'half-open') {
      this.#logger.info(`${where} half-open: letting one message through`);
      this.#onBreaker({ queue: this.queue, state });
    } else {
      this.#logger.info(`${where} closed: consuming again`);
      this.#onBreaker({ queue: this.queue, state });
      void this.#resume();
    }
  }

  async #pause(): Promise<void> {
    const channel = this.#channel;
    const consumerTag = this.#consumerTag;
    this.#consumerTag = undefined;
    if (channel && consumerTag) await channel.cancel(consumerTag).catch(() => {});
  }

  async #resume(): Promise<void> {
    const channel = this.#channel;
    if (this.#stopped || !channel || this.#consumerTag) return;
    // A channel that dies meanwhile is restarted, and consumes then.
    this.#consumerTag = await this.#consumeOn(channel).catch(() => undefined);
    // Opened again (or stopped) before the broker said consume-ok: pause after all.
    if (this.#stopped || this.#breaker?.state !== 'closed') await this.#pause();
  }

  #scheduleTrial(): void {
    clearTimeout(this.#trialTimer);
    const coolDown = this.#breaker?.coolDown ?? 0;
    this.#trialTimer = setTimeout(() => {
      this.#trialTimer = undefined;
      void this.#trial();
    }, coolDown).unref();
  }

  /** Half-open: takes one message (basic.get) and lets its outcome decide; an empty queue is tried again later. */
  async #trial(): Promise<void> {
    const channel = this.#channel;
    if (this.#stopped || !this.#breaker || !channel) return;
    this.#breaker.halfOpen();
    this.#trialRunning = true;
    try {
      await this.#trialOn(channel, this.#breaker);
    } finally {
      this.#trialRunning = false;
    }
  }

  async #trialOn(channel: Channel, breaker: CircuitBreaker): Promise<void> {
    for (;;) {
      const message = await channel.get(this.queue, { noAck: false }).catch(() => false as const);
      if (message === false) {
        if (!this.#stopped) this.#scheduleTrial();
        return;
      }
      // A got message has a message count where a consumed one has a consumer tag; nothing here reads either.
      const downstream = await this.#handle(channel, message as unknown as ConsumeMessage, true);
      // One that never reached the handler (invalid, or counted by the crash-loop guard) says nothing: take another.
      if (downstream) return breaker.trialEnded(downstream === 'down');
      if (this.#stopped) return;
    }
  }

  /** @internal Stops taking new messages; handlers already running go on. */
  async stopConsuming(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#trialTimer);
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

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
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
