import { EventEmitter } from 'node:events';
import type { ConnectionOptions as TlsConnectionOptions } from 'node:tls';
import type { Channel, ChannelModel, ConfirmChannel, RecoveringChannelModel } from 'amqplib';
import type { BreakerEvent } from './breaker.js';
import { type ConsumeOptions, Consumer, DEFAULT_MAX_REDELIVERIES } from './consumer.js';
import { Declarations } from './declarations.js';
import { type DelayOptions, delayTopology } from './delays/delay-options.js';
import type { DelayTopology } from './delays/delay-topology.js';
import { Delayer } from './delays/delayer.js';
import { ClosedError } from './errors.js';
import {
  createHandling,
  type DeadLetteredEvent,
  type Handler,
  type HandlersByType,
  type RetryScheduledEvent,
} from './handling.js';
import { Link } from './link.js';
import type { Logger } from './logger.js';
import { type ChannelSetup, ManagedChannel, type SetupChannelOptions } from './managed-channel.js';
import { Publisher, type PublishOptions, type SendOptions } from './publisher.js';
import { deadLetterQueueOf, FailureRoutes } from './retry/failure-routes.js';
import { HEADERS } from './retry/headers.js';
import type { RetryPolicy } from './retry/policy.js';
import type { Telemetry } from './telemetry.js';
import type { BindingSpec, Topology } from './topology.js';
import { batchWrites } from './write-batching.js';

/** The methods `connect` calls and applications never do; symbol-keyed so they stay off the public surface. */
export const ATTACH = Symbol('attach');
export const SET_UP = Symbol('set up');

/** TLS settings for `amqps://` URLs, as Node's `tls.connect` takes them. */
export type TlsOptions = Pick<
  TlsConnectionOptions,
  'ca' | 'cert' | 'key' | 'passphrase' | 'servername' | 'rejectUnauthorized'
>;

/** Reconnect backoff, in amqplib's own words. */
export interface RecoveryOptions {
  /** @default 100 */
  initialDelay?: number;
  /** @default 10000 */
  maxDelay?: number;
  /** @default 2 */
  factor?: number;
  /** @default 0.2 */
  jitter?: number;
  /** Reconnect attempts after a drop. @default Infinity */
  maxRetries?: number;
  /** Attempts before the first connection succeeds. @default one per URL */
  initialMaxRetries?: number;
}

/** Options of {@link connect}: where, how to reconnect, and the defaults of publishes and retries. */
export interface ConnectOptions {
  /** A broker URL, or several for a cluster (tried in turn). @default process.env.AMQP_URL, else 'amqp://localhost' */
  url?: string | readonly string[];
  tls?: TlsOptions;
  recovery?: RecoveryOptions;
  /** @default consoleLogger */
  logger?: Logger;
  /** Shown as the connection's name in the management UI. */
  connectionName?: string;
  /** Default of {@link PublishOptions.timeoutMs}. @default 30000 */
  publishTimeoutMs?: number;
  /** Message bytes published and not yet confirmed before further publishes wait. @default 8 MiB */
  maxUnconfirmedBytes?: number;
  /** The retry policy of consumers that set none. @default 5 attempts, exponential from 1 s */
  retry?: RetryPolicy;
  /** How delays are made. @default { topology: 'queues' } */
  delays?: DelayOptions;
  /** Traces and metrics: `openTelemetry()` from `retry-kit/telemetry`. @default none */
  telemetry?: Telemetry;
}

/** The events a {@link RabbitClient} emits, and what each carries. */
export interface ClientEvents {
  connected: [{ url: string }];
  disconnected: [{ reason: string }];
  reconnecting: [{ attempt: number; delayMs: number; reason: string }];
  'reconnect-failed': [{ reason: string }];
  blocked: [{ reason: string }];
  unblocked: [];
  /** A failed message's retry is stored (confirmed); its original is acked right after. */
  'retry-scheduled': [RetryScheduledEvent];
  /** A message is stored in its dead-letter queue (confirmed); its original is acked right after. */
  'dead-lettered': [DeadLetteredEvent];
  /** A consumer's circuit breaker opened, let one message through (half-open), or closed. */
  breaker: [BreakerEvent];
}

/** A consumer or managed channel: started on every connection, restarted when its channel dies alone. */
interface Restartable {
  readonly label: string;
  start(model: ChannelModel): Promise<void>;
}

/** Options of {@link RabbitClient.close}. */
export interface CloseOptions {
  /** How long running handlers and unconfirmed publishes may take. @default 10000 */
  timeoutMs?: number;
}

/**
 * A connection to RabbitMQ that survives drops: declared topology is
 * re-asserted and consumers are re-created on every reconnect, and publishes
 * wait for the connection to come back. Create it with {@link connect}.
 */
export class RabbitClient extends EventEmitter<ClientEvents> {
  readonly #link = new Link();
  readonly #logger: Logger;
  readonly #declarations = new Declarations(this.#link);
  readonly #consumers = new Set<Consumer>();
  readonly #channels = new Set<ManagedChannel<Channel>>();
  readonly #publisher: Publisher;
  readonly #delayer: Delayer;
  readonly #retry: RetryPolicy;
  readonly #telemetry: Telemetry | undefined;
  #model: RecoveringChannelModel | undefined;
  #closing: Promise<void> | undefined;

  /** @internal use {@link connect} */
  constructor(logger: Logger, options: ConnectOptions) {
    super();
    this.#logger = logger;
    this.#delayer = new Delayer(delayTopology(options.delays), this.#declarations);
    this.#retry = options.retry ?? {};
    this.#telemetry = options.telemetry;
    this.#publisher = new Publisher({
      link: this.#link,
      defaultTimeoutMs: options.publishTimeoutMs ?? 30_000,
      isRejectPublishQueue: (queue) => this.#declarations.isRejectPublishQueue(queue),
      maxUnconfirmedBytes: options.maxUnconfirmedBytes ?? 8 * 2 ** 20,
      telemetry: options.telemetry,
    });
  }

  /** @internal */
  [ATTACH](model: RecoveringChannelModel): void {
    this.#model = model;
  }

  /** @internal amqplib calls this after each (re)connection, before anyone else may use it. */
  async [SET_UP](model: ChannelModel): Promise<void> {
    batchWrites(model);
    await this.#declarations.reassert(model, (reason) =>
      this.#logger.warn(
        `a queue's node is down (${reason}): it is declared again on the next connection, its consumers start when it is back`,
      ),
    );
    model.on('close', () => {
      this.#link.down(model);
      this.#publisher.reset();
    });
    this.#delayer.topology.reset();
    this.#link.up(model);
    // One consumer that cannot start (its queue was deleted, say) must not
    // hold the connection, and every other consumer, hostage.
    for (const part of [...this.#channels, ...this.#consumers]) {
      await part.start(model).catch((error: Error) => {
        this.#logger.error(`could not restart ${part.label}: ${error.message}`);
        this.#restartLater(part, model);
      });
    }
  }

  /**
   * A channel for a program that makes the AMQP calls itself, with amqplib's
   * own API: `setup` runs on it now, and on a new channel after every
   * reconnect, so the consumers it starts come back too. On {@link close} its
   * consumers are cancelled, and the messages the program holds are given time
   * to be acked, before it closes. Rejects with what `setup` threw.
   *
   * @example
   * await rabbit.setupChannel(async (channel) => {
   *   await channel.assertQueue('task_queue', { durable: true });
   *   await channel.prefetch(1);
   *   await channel.consume('task_queue', (message) => message && channel.ack(message));
   * });
   */
  setupChannel(setup: ChannelSetup<Channel>, options?: { confirm?: false }): Promise<ManagedChannel<Channel>>;
  setupChannel(
    setup: ChannelSetup<ConfirmChannel>,
    options: { confirm: true },
  ): Promise<ManagedChannel<ConfirmChannel>>;
  async setupChannel(
    setup: ChannelSetup<ConfirmChannel> | ChannelSetup<Channel>,
    options: SetupChannelOptions = {},
  ): Promise<ManagedChannel<Channel> | ManagedChannel<ConfirmChannel>> {
    if (this.#closing) throw new ClosedError('Cannot open a channel: the client is closing');
    const managed: ManagedChannel<Channel> = new ManagedChannel(setup as ChannelSetup<Channel>, options, (model) => {
      this.#logger.warn(`the broker closed ${managed.label}: setting it up again`);
      this.#restartLater(managed, model);
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      const model = await this.#link.connection(deadline, 'open a channel');
      try {
        await managed.start(model);
        break;
      } catch (error) {
        // The connection went down during setup (the broker restarted, or
        // crashed the connection on a concurrent declaration): set up again
        // on the one amqplib recovers. Anything else is the caller's to see.
        if (this.#link.current === model || this.#link.closed) throw error;
        this.#logger.warn(`the connection dropped while setting up ${managed.label}: setting it up again`);
      }
    }
    this.#channels.add(managed);
    return managed;
  }

  /** True while a connection is open. */
  get connected(): boolean {
    return this.#link.current !== undefined;
  }

  /**
   * Declares exchanges, queues and bindings now, and again after every
   * reconnect. Idempotent. Rejects with {@link TopologyConflictError} when
   * something exists with other settings.
   */
  declare(topology: Topology): Promise<void> {
    return this.#declarations.declare(topology);
  }

  /** Binds now and after every reconnect; a shorthand for `declare({ bindings: [binding] })`. */
  bind(binding: BindingSpec): Promise<void> {
    return this.#declarations.declare({ bindings: [binding] });
  }

  /** Removes a binding made with {@link bind}, now and from what is declared again on reconnect. */
  unbind(binding: BindingSpec): Promise<void> {
    return this.#declarations.unbind(binding);
  }

  /**
   * Declares what delays to `queue` need (the shared delay topology and the
   * way back to `queue`), which the kit otherwise does on the first delayed
   * publish or failure. Call it at start-up to keep that out of the first
   * message's time.
   */
  declareDelays(queue: string): Promise<void> {
    return this.#delayer.prepare(queue);
  }

  /** Publishes to an exchange and resolves when the broker confirms it. JSON unless `payload` is a Buffer. */
  publish(exchange: string, routingKey: string, payload: unknown, options?: PublishOptions): Promise<void> {
    if (this.#closing) return Promise.reject(new ClosedError('Cannot publish: the client is closing'));
    return this.#publisher.publish(exchange, routingKey, payload, options);
  }

  /**
   * Publishes straight to a queue (the default exchange) and resolves when the
   * broker confirms it. With `delay`, the message reaches the queue that many
   * ms later, through the delay topology.
   */
  sendToQueue(queue: string, payload: unknown, options?: SendOptions): Promise<void> {
    // Not an async function: an undelayed send is one promise, its publish's.
    // (amqplib reads the properties it knows by name: a `delay` of 0 rides along unread.)
    const delay = options?.delay;
    if (!delay || delay <= 0) return this.publish('', queue, payload, options);
    return this.#sendLater(queue, payload, options ?? {});
  }

  async #sendLater(queue: string, payload: unknown, options: SendOptions): Promise<void> {
    const { delay = 0, ...rest } = options;
    if (this.#closing) throw new ClosedError('Cannot publish: the client is closing');
    const route = await this.#delayer.route(Math.round(delay), queue);
    const now = Date.now();
    const headers = {
      ...rest.headers,
      [HEADERS.queue]: queue,
      [HEADERS.publishedAt]: now,
      [HEADERS.dueAt]: now + delay,
    };
    await this.#publisher.publish(
      route.exchange,
      route.routingKey,
      payload,
      { ...rest, headers, ...(route.cc ? { CC: route.cc } : {}) },
      { kind: 'delayed', destination: queue, delay },
    );
  }

  /**
   * Consumes `queue`. A handler that resolves acks its message; one that
   * throws has it retried per the policy, then dead-lettered. Give one
   * handler, or one per message `type`. Runs until {@link Consumer.cancel}
   * or {@link close}.
   *
   * @example
   * await rabbit.consume<Payment>('payments', charge, {
   *   retry: { deadline: 7 * 24 * 3600_000, backoff: { type: 'exponential', initialDelay: 60_000 }, maxDelay: 6 * 3600_000 },
   * });
   */
  consume<T = unknown>(queue: string, handler: Handler<T>, options?: ConsumeOptions<T>): Promise<Consumer>;
  consume<M extends Record<string, unknown>>(
    queue: string,
    handlers: HandlersByType<M>,
    options?: Omit<ConsumeOptions, 'validate'>,
  ): Promise<Consumer>;
  async consume<T>(
    queue: string,
    handler: Handler<T> | Record<string, Handler<never>>,
    options: ConsumeOptions<T> = {},
  ): Promise<Consumer> {
    if (this.#closing) throw new ClosedError('Cannot consume: the client is closing');
    const routes = new FailureRoutes({
      queue,
      deadLetterQueue: options.deadLetterQueue ?? deadLetterQueueOf(queue),
      publisher: this.#publisher,
      delayer: this.#delayer,
      declarations: this.#declarations,
    });
    const process = createHandling<T>({
      handler,
      policy: options.retry ?? this.#retry,
      validate: options.validate,
      next: options.next,
      routes,
      publisher: this.#publisher,
      logger: this.#logger,
      maxRedeliveries: options.maxRedeliveries ?? DEFAULT_MAX_REDELIVERIES,
      telemetry: this.#telemetry,
      onRetry: (event) => this.emit('retry-scheduled', event),
      onDeadLetter: (event) => this.emit('dead-lettered', event),
    });
    const prefetch = options.prefetch ?? 10;
    const consumer: Consumer = new Consumer({
      queue,
      process,
      prefetch,
      concurrency: options.concurrency ?? (prefetch > 0 ? prefetch : 1),
      logger: this.#logger,
      onChannelLost: (model) => this.#restartLater(consumer, model),
      breaker: options.breaker,
      onBreaker: (event) => this.emit('breaker', event),
    });
    const model = this.#link.current;
    if (model) await consumer.start(model);
    this.#consumers.add(consumer);
    return consumer;
  }

  /** @internal The delay topology this client uses (the retry-backoff example counts its queues). */
  get delays(): DelayTopology {
    return this.#delayer.topology;
  }

  /** Restarts a consumer or channel that died while the connection lives on, backing off up to 30 s. */
  #restartLater(part: Restartable, model: ChannelModel, attempt = 1): void {
    setTimeout(
      () => {
        if (this.#link.current !== model || this.#closing) return;
        part.start(model).catch((error: Error) => {
          this.#logger.error(`could not restart ${part.label}: ${error.message}`);
          this.#restartLater(part, model, attempt + 1);
        });
      },
      Math.min(1_000 * 2 ** (attempt - 1), 30_000),
    ).unref();
  }

  /**
   * Stops taking messages, lets running handlers finish and unconfirmed
   * publishes settle (up to `timeoutMs`; unfinished messages go back to their
   * queue), then closes the connection.
   */
  close(options: CloseOptions = {}): Promise<void> {
    this.#closing ??= this.#close(options.timeoutMs ?? 10_000);
    return this.#closing;
  }

  async #close(timeoutMs: number): Promise<void> {
    const closingChannels = Promise.all([...this.#channels].map((managed) => managed.close(Date.now() + timeoutMs)));
    const consumers = [...this.#consumers];
    await Promise.all(consumers.map((consumer) => consumer.stopConsuming()));
    const settled = Promise.all([...consumers.map((consumer) => consumer.settled()), this.#publisher.settled()]);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const result = await Promise.race([settled, timedOut]);
    clearTimeout(timer);
    if (result === 'timeout') {
      this.#logger.warn(
        `closing after ${timeoutMs} ms with work still running; unacked messages go back to their queues`,
      );
    }
    await Promise.all(consumers.map((consumer) => consumer.closeChannel()));
    const unacked = (await closingChannels).reduce((sum, count) => sum + count, 0);
    if (unacked > 0) {
      this.#logger.warn(
        `closing after ${timeoutMs} ms with ${unacked} message(s) of setupChannel never acked; they go back to their queues`,
      );
    }
    this.#link.close();
    await this.#model?.close();
  }
}
