import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChannelModel, ConfirmChannel, Message, Options } from 'amqplib';
import { isMissingExchange, isNack } from './broker-errors.js';
import { contentTypeOf, encode } from './codec.js';
import {
  ExchangeNotFoundError,
  PublishNackedError,
  QueueFullError,
  type RetryKitError,
  TimeoutError,
  UnroutableError,
} from './errors.js';
import type { Link } from './link.js';
import type { PublishFacts, Telemetry } from './telemetry.js';

/** Options of one publish. Everything but `timeoutMs` and `mandatory` goes to amqplib. */
export interface PublishOptions extends Omit<Options.Publish, 'mandatory'> {
  /** How long to wait for the broker's confirm, including any wait for a reconnect. @default the client's `publishTimeoutMs` */
  timeoutMs?: number;
  /** Fail with {@link UnroutableError} when no queue takes the message. @default true */
  mandatory?: boolean;
}

/** Options of `sendToQueue`: a publish's, and a delay. */
export interface SendOptions extends PublishOptions {
  /** Deliver this many ms later, through the delay topology. @default 0 */
  delay?: number;
}

/** What the kit knows of why it publishes a message, for telemetry. */
export type PublishPurpose = Pick<
  PublishFacts,
  'kind' | 'destination' | 'sourceQueue' | 'delay' | 'deadLetterReason' | 'attemptNumber'
>;

export interface PublisherOptions {
  link: Link;
  defaultTimeoutMs: number;
  /** True for a queue the kit declared with x-overflow reject-publish (a nack means it is full). */
  isRejectPublishQueue: (queue: string) => boolean;
  maxUnconfirmedBytes: number;
  telemetry: Telemetry | undefined;
}

/** Pauses before sending a nacked message again: doubling, from the first to the longest. */
const FIRST_NACK_PAUSE_MS = 50;
const MAX_NACK_PAUSE_MS = 1_000;

type Outcome = 'confirmed' | 'returned' | 'nacked' | 'lost' | 'timeout' | 'exchange-missing';

/** A message sent and waiting for its confirm. */
interface Unconfirmed {
  messageId: string;
  exchange: string;
  routingKey: string;
  deadline: number;
  /** Its body's bytes, counted in the unconfirmed bytes until it settles. */
  size: number;
  returned: boolean;
  done: (outcome: Outcome) => void;
}

/** The options of a publish that gives none. */
const NO_OPTIONS: PublishOptions = {};

/** How often unconfirmed messages are checked against their deadline. */
const SWEEP_INTERVAL_MS = 50;

/**
 * Publishes on a confirm channel of the current connection. A publish
 * resolves only when the broker confirms; if the connection drops first, the
 * message is sent again on the next connection (so it may arrive twice,
 * never zero times) until `timeoutMs` runs out.
 */
export class Publisher {
  readonly #link: Link;
  readonly #defaultTimeoutMs: number;
  readonly #isRejectPublishQueue: (queue: string) => boolean;
  #channel: ConfirmChannel | undefined;
  #opening: Promise<ConfirmChannel> | undefined;
  #drained: Promise<unknown> | undefined;
  readonly #unconfirmed = new Set<Unconfirmed>();
  #sweeper: NodeJS.Timeout | undefined;
  #inFlight = 0;
  #idle: (() => void) | undefined;
  readonly #maxUnconfirmedBytes: number;
  #unconfirmedBytes = 0;
  #roomWaiters: (() => void)[] = [];
  readonly #telemetry: Telemetry | undefined;

  constructor(options: PublisherOptions) {
    this.#link = options.link;
    this.#defaultTimeoutMs = options.defaultTimeoutMs;
    this.#isRejectPublishQueue = options.isRejectPublishQueue;
    this.#maxUnconfirmedBytes = options.maxUnconfirmedBytes;
    this.#telemetry = options.telemetry;
  }

  /** Forgets the channel of a connection that is gone. */
  reset(): void {
    this.#channel = undefined;
    this.#opening = undefined;
    this.#drained = undefined;
  }

  /** Resolves when no publish is waiting for its confirm. */
  async settled(): Promise<void> {
    while (this.#inFlight > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
  }

  /** Resolves when the broker confirms. `purpose` says why, for telemetry. */
  publish(
    exchange: string,
    routingKey: string,
    payload: unknown,
    options: PublishOptions = NO_OPTIONS,
    purpose?: PublishPurpose,
  ): Promise<void> {
    let content: Buffer;
    try {
      content = encode(payload);
    } catch (error) {
      return Promise.reject(error);
    }
    // One copy of the caller's options: amqplib reads the properties it knows
    // by name, so the kit's own (timeoutMs, a send's delay) can ride along.
    const properties: Options.Publish = {
      persistent: true,
      timestamp: Math.floor(Date.now() / 1000),
      contentType: contentTypeOf(payload),
      ...options,
      messageId: options.messageId ?? randomUUID(),
      mandatory: options.mandatory ?? true,
    };
    const deadline = Date.now() + (options.timeoutMs ?? this.#defaultTimeoutMs);
    // Not an async function: without telemetry a publish is one promise, as with amqplib alone.
    if (!this.#telemetry) return this.#confirmed(exchange, routingKey, content, properties, deadline);
    return this.#traced(this.#telemetry, exchange, routingKey, content, properties, deadline, purpose);
  }

  async #traced(
    telemetry: Telemetry,
    exchange: string,
    routingKey: string,
    content: Buffer,
    properties: Options.Publish,
    deadline: number,
    purpose: PublishPurpose | undefined,
  ): Promise<void> {
    properties.headers = { ...properties.headers };
    const traced = telemetry.publishing({
      kind: 'publish',
      destination: exchange === '' ? routingKey : undefined,
      ...purpose,
      exchange,
      routingKey,
      messageId: properties.messageId as string,
      bodySize: content.length,
      headers: properties.headers,
    });
    try {
      await traced.run(() => this.#confirmed(exchange, routingKey, content, properties, deadline));
      traced.end();
    } catch (error) {
      traced.end(error);
      throw error;
    }
  }

  /**
   * Sends at once on the open channel when nothing makes a publish wait (no
   * backpressure, room for its bytes), and resolves on the broker's confirm:
   * one promise. Anything else (no channel yet, a wait, a confirm that is not
   * an ack) goes the careful way, {@link #confirmedSlowly}.
   */
  #confirmed(
    exchange: string,
    routingKey: string,
    content: Buffer,
    properties: Options.Publish,
    deadline: number,
  ): Promise<void> {
    const channel = this.#channel;
    if (!channel || this.#drained || this.#mustWaitForRoom(content.length)) {
      return this.#confirmedSlowly(exchange, routingKey, content, properties, deadline, undefined);
    }
    this.#inFlight++;
    return new Promise<void>((resolve) => {
      this.#send(channel, exchange, routingKey, content, properties, deadline, (outcome) => {
        if (outcome === 'confirmed') resolve();
        else resolve(this.#confirmedSlowly(exchange, routingKey, content, properties, deadline, { channel, outcome }));
        // After the slow way (if taken) has counted itself in flight.
        if (--this.#inFlight === 0) this.#idle?.();
      });
    });
  }

  /** Sends until the broker confirms, on a new channel if need be, until `deadline`; `sent` is a first try's outcome. */
  async #confirmedSlowly(
    exchange: string,
    routingKey: string,
    content: Buffer,
    properties: Options.Publish,
    deadline: number,
    sent: { channel: ConfirmChannel; outcome: Outcome } | undefined,
  ): Promise<void> {
    let nackPauseMs = FIRST_NACK_PAUSE_MS;
    this.#inFlight++;
    try {
      for (;;) {
        if (!sent) {
          const channel = this.#channel ?? (await this.#openChannel(deadline, exchange, routingKey));
          if (this.#drained) await this.#waitForDrain(deadline, exchange, routingKey);
          if (this.#mustWaitForRoom(content.length)) {
            await this.#waitForRoom(content.length, deadline, exchange, routingKey);
          }
          const outcome = await new Promise<Outcome>((resolve) =>
            this.#send(channel, exchange, routingKey, content, properties, deadline, resolve),
          );
          sent = { channel, outcome };
        }
        const { channel, outcome } = sent;
        sent = undefined;
        if (outcome === 'confirmed') return;
        // The channel died before the confirm: send again on the next one.
        if (outcome === 'lost') continue;
        // A nack means the message was not stored. Unless the queue is known
        // to be full, the queue could not take it just then (a quorum queue
        // whose leader is failing over): send again, until the deadline, on a
        // new channel. (RabbitMQ 3.10: a channel that published to a quorum
        // queue while it had no leader nacks every later publish to it.)
        if (outcome === 'nacked' && !this.#isKnownFull(exchange, routingKey)) {
          this.#retire(channel);
          if (Date.now() + nackPauseMs >= deadline) throw this.#error('nacked', exchange, routingKey);
          await sleep(nackPauseMs);
          nackPauseMs = Math.min(nackPauseMs * 2, MAX_NACK_PAUSE_MS);
          continue;
        }
        throw this.#error(outcome, exchange, routingKey);
      }
    } finally {
      if (--this.#inFlight === 0) this.#idle?.();
    }
  }

  /** True when `size` more bytes would pass the bound on unconfirmed bytes (one message alone always goes). */
  #mustWaitForRoom(size: number): boolean {
    return this.#unconfirmedBytes > 0 && this.#unconfirmedBytes + size > this.#maxUnconfirmedBytes;
  }

  /** Publishes on `channel` and tells `done` how it ended: confirmed, returned, nacked, lost or timed out. */
  #send(
    channel: ConfirmChannel,
    exchange: string,
    routingKey: string,
    content: Buffer,
    properties: Options.Publish,
    deadline: number,
    done: (outcome: Outcome) => void,
  ): void {
    const entry: Unconfirmed = {
      messageId: properties.messageId as string,
      exchange,
      routingKey,
      deadline,
      size: content.length,
      returned: false,
      done,
    };
    this.#unconfirmedBytes += entry.size;
    this.#unconfirmed.add(entry);
    this.#sweeper ??= setInterval(() => this.#sweep(), SWEEP_INTERVAL_MS).unref();
    try {
      const written = channel.publish(exchange, routingKey, content, properties, (error: Error | null) => {
        if (!this.#unconfirmed.has(entry)) return; // timed out already
        this.#settle(entry, this.#outcome(error, entry, channel));
      });
      // Backpressure: the socket buffer is full; later publishes wait for it to drain.
      if (!written && !this.#drained) {
        this.#drained = drainOrClose(channel);
      }
    } catch {
      this.#settle(entry, 'lost'); // IllegalOperationError: the channel closed under us
    }
  }

  #settle(entry: Unconfirmed, outcome: Outcome): void {
    this.#unconfirmed.delete(entry);
    this.#unconfirmedBytes -= entry.size;
    if (this.#roomWaiters.length > 0) {
      const waiters = this.#roomWaiters;
      this.#roomWaiters = [];
      for (const wake of waiters) wake();
    }
    entry.done(outcome);
  }

  #outcome(error: Error | null, entry: Unconfirmed, channel: ConfirmChannel): Outcome {
    if (error === null) return entry.returned ? 'returned' : 'confirmed';
    if (isNack(error)) return 'nacked';
    return isMissingExchange(closeErrors.get(channel), entry.exchange) ? 'exchange-missing' : 'lost';
  }

  #sweep(): void {
    const now = Date.now();
    for (const entry of this.#unconfirmed) if (entry.deadline <= now) this.#settle(entry, 'timeout');
    if (this.#unconfirmed.size === 0) {
      clearInterval(this.#sweeper);
      this.#sweeper = undefined;
    }
  }

  async #openChannel(deadline: number, exchange: string, routingKey: string): Promise<ConfirmChannel> {
    for (;;) {
      const model = await this.#link.connection(deadline, `publish to ${describe(exchange, routingKey)}`);
      this.#opening ??= this.#createChannel(model);
      try {
        return await this.#opening;
      } catch (error) {
        this.#opening = undefined;
        if (this.#link.current === model) throw error;
      }
    }
  }

  async #createChannel(model: ChannelModel): Promise<ConfirmChannel> {
    const channel = await model.createConfirmChannel();
    channel.on('error', (error: Error) => closeErrors.set(channel, error));
    channel.on('close', () => {
      if (this.#channel === channel) this.reset();
    });
    channel.on('return', (message: Message) => {
      // A return always arrives before the confirm of the same message. The
      // same message id can be in flight twice (a consumer dead-lettering a
      // message whose publish is not confirmed yet), so match the target too.
      const { exchange, routingKey } = message.fields;
      for (const entry of this.#unconfirmed) {
        const same = entry.exchange === exchange && entry.routingKey === routingKey;
        if (same && entry.messageId === message.properties.messageId && !entry.returned) {
          entry.returned = true;
          break;
        }
      }
    });
    if (this.#link.current === model) this.#channel = channel;
    return channel;
  }

  async #waitForDrain(deadline: number, exchange: string, routingKey: string): Promise<void> {
    while (this.#drained) {
      const drained = this.#drained;
      if (!(await beforeDeadline(drained, deadline))) throw this.#error('timeout', exchange, routingKey);
      if (this.#drained === drained) this.#drained = undefined;
    }
  }

  /**
   * Bounds memory by bytes, not messages: amqplib's own buffer counts frames
   * (a 1 MB message is nine of them) and signals backpressure only after a
   * thousand, so while the broker reads nothing (blocked, slow) publishes
   * wait here once this much is written and not yet confirmed.
   */
  async #waitForRoom(size: number, deadline: number, exchange: string, routingKey: string): Promise<void> {
    while (this.#mustWaitForRoom(size)) {
      const room = new Promise<void>((resolve) => this.#roomWaiters.push(resolve));
      if (!(await beforeDeadline(room, deadline))) throw this.#error('timeout', exchange, routingKey);
    }
  }

  #error(outcome: Exclude<Outcome, 'confirmed' | 'lost'>, exchange: string, routingKey: string): RetryKitError {
    const target = describe(exchange, routingKey);
    switch (outcome) {
      case 'returned':
        return new UnroutableError(`No queue took the message published to ${target}: nothing is bound for it`);
      case 'exchange-missing':
        return new ExchangeNotFoundError(`Exchange "${exchange}" does not exist: declare it before publishing`);
      case 'timeout':
        return new TimeoutError(
          `The broker did not confirm the message published to ${target} in time: it may or may not have been stored. Publish again if unsure (consumers should be idempotent)`,
        );
      case 'nacked':
        if (this.#isKnownFull(exchange, routingKey)) {
          return new QueueFullError(
            `Queue "${routingKey}" is full (x-overflow: reject-publish): the broker refused the message`,
          );
        }
        return new PublishNackedError(
          `The broker kept refusing the message published to ${target} (nack) until the publish timed out. Usually a queue it routes to is full (x-overflow: reject-publish)`,
        );
    }
  }

  /** Closes `channel` if it is still the one publishes use; its unconfirmed messages are sent again on the next. */
  #retire(channel: ConfirmChannel): void {
    if (this.#channel !== channel) return;
    this.reset();
    channel.close().catch(() => {});
  }

  /** A nack for a queue the kit declared with x-overflow reject-publish: it is full. */
  #isKnownFull(exchange: string, routingKey: string): boolean {
    return exchange === '' && this.#isRejectPublishQueue(routingKey);
  }
}

/** Why each confirm channel closed, when the broker said. */
const closeErrors = new WeakMap<ConfirmChannel, Error>();

/** True if `promise` settles before `deadline` (epoch ms), false if the deadline comes first. */
async function beforeDeadline(promise: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([promise.then(() => true), expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves on the channel's next 'drain' (or its close), leaving no listener behind. */
function drainOrClose(channel: ConfirmChannel): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      channel.off('drain', done);
      channel.off('close', done);
      resolve();
    };
    channel.on('drain', done);
    channel.on('close', done);
  });
}

function describe(exchange: string, routingKey: string): string {
  return exchange === '' ? `queue "${routingKey}"` : `exchange "${exchange}" (routing key "${routingKey}")`;
}
