import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import type { ConfirmChannel, Message, Options } from 'amqplib';
import { encode } from './codec.js';
import {
  ExchangeNotFoundError,
  PublishNackedError,
  QueueFullError,
  type RetryKitError,
  TimeoutError,
  UnroutableError,
} from './errors.js';
import type { Link } from './link.js';

/** Options of one publish. Everything but `timeoutMs` and `mandatory` goes to amqplib. */
export interface PublishOptions extends Omit<Options.Publish, 'mandatory'> {
  /** How long to wait for the broker's confirm, including any wait for a reconnect. @default the client's `publishTimeoutMs` */
  timeoutMs?: number;
  /** Fail with {@link UnroutableError} when no queue takes the message. @default true */
  mandatory?: boolean;
}

type Outcome = { kind: 'confirmed' } | { kind: 'lost' } | { kind: 'failed'; error: Error };

interface Pending {
  messageId: string;
  returned: boolean;
}

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
  #channel: Promise<ConfirmChannel> | undefined;
  #drained: Promise<unknown> | undefined;
  readonly #closeErrors = new WeakMap<ConfirmChannel, Error>();
  readonly #pending = new WeakMap<ConfirmChannel, Set<Pending>>();
  #inFlight = 0;
  #idle: (() => void) | undefined;

  constructor(link: Link, defaultTimeoutMs: number, isRejectPublishQueue: (queue: string) => boolean) {
    this.#link = link;
    this.#defaultTimeoutMs = defaultTimeoutMs;
    this.#isRejectPublishQueue = isRejectPublishQueue;
  }

  /** Forgets the channel of a connection that is gone. */
  reset(): void {
    this.#channel = undefined;
    this.#drained = undefined;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Resolves when no publish is waiting for its confirm. */
  async settled(): Promise<void> {
    while (this.#inFlight > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
  }

  async publish(exchange: string, routingKey: string, payload: unknown, options: PublishOptions = {}): Promise<void> {
    const { timeoutMs = this.#defaultTimeoutMs, mandatory = true, ...rest } = options;
    const { content, contentType } = encode(payload);
    const properties: Options.Publish = {
      persistent: true,
      timestamp: Math.floor(Date.now() / 1000),
      ...(contentType ? { contentType } : {}),
      ...rest,
      messageId: rest.messageId ?? randomUUID(),
      mandatory,
    };
    const deadline = Date.now() + timeoutMs;
    const target = exchange === '' ? `queue "${routingKey}"` : `exchange "${exchange}" (routing key "${routingKey}")`;
    this.#inFlight++;
    try {
      for (;;) {
        const channel = await this.#confirmChannel(deadline, `publish to ${target}`);
        const outcome = await this.#sendAndConfirm(
          channel,
          exchange,
          routingKey,
          content,
          properties,
          deadline,
          target,
        );
        if (outcome.kind === 'confirmed') return;
        if (outcome.kind === 'failed') throw outcome.error;
        // The channel died before the confirm: send again on the next one.
      }
    } finally {
      this.#inFlight--;
      if (this.#inFlight === 0) this.#idle?.();
    }
  }

  async #confirmChannel(deadline: number, what: string): Promise<ConfirmChannel> {
    for (;;) {
      const model = await this.#link.connection(deadline, what);
      this.#channel ??= this.#openChannel(model);
      try {
        return await this.#channel;
      } catch (error) {
        this.#channel = undefined;
        if (this.#link.current === model) throw error;
      }
    }
  }

  async #openChannel(model: NonNullable<Link['current']>): Promise<ConfirmChannel> {
    const channel = await model.createConfirmChannel();
    const pending = new Set<Pending>();
    this.#pending.set(channel, pending);
    channel.on('error', (error: Error) => this.#closeErrors.set(channel, error));
    channel.on('close', () => {
      if (this.#channel && this.#link.current === model) this.#channel = undefined;
    });
    channel.on('return', (message: Message) => {
      // A return always arrives before the confirm of the same message.
      for (const entry of pending) {
        if (entry.messageId === message.properties.messageId && !entry.returned) {
          entry.returned = true;
          break;
        }
      }
    });
    return channel;
  }

  async #sendAndConfirm(
    channel: ConfirmChannel,
    exchange: string,
    routingKey: string,
    content: Buffer,
    properties: Options.Publish,
    deadline: number,
    target: string,
  ): Promise<Outcome> {
    // Backpressure: while the socket buffer is full, wait for it to drain.
    while (this.#drained) {
      const drained = this.#drained;
      const waited = await withDeadline(drained, deadline);
      if (waited === false) return { kind: 'failed', error: timeout(target) };
      if (this.#drained === drained) this.#drained = undefined;
    }
    const pending = this.#pending.get(channel) ?? new Set<Pending>();
    const entry: Pending = { messageId: String(properties.messageId), returned: false };
    pending.add(entry);
    const confirmed = new Promise<Error | null>((resolve) => {
      try {
        const written = channel.publish(exchange, routingKey, content, properties, (error: Error | null) =>
          resolve(error),
        );
        if (!written && !this.#drained) {
          this.#drained = Promise.race([once(channel, 'drain'), once(channel, 'close')]).catch(() => undefined);
        }
      } catch (error) {
        resolve(error as Error); // IllegalOperationError: the channel is closed
      }
    });
    const result = await withDeadline(confirmed, deadline);
    pending.delete(entry);
    if (result === false) return { kind: 'failed', error: timeout(target) };
    const error = result;
    if (error === null) {
      if (entry.returned) {
        return {
          kind: 'failed',
          error: new UnroutableError(
            'UNROUTABLE',
            `No queue took the message published to ${target}: nothing is bound for it`,
          ),
        };
      }
      return { kind: 'confirmed' };
    }
    if (/nacked/.test(error.message)) return { kind: 'failed', error: this.#nacked(exchange, routingKey, target) };
    const closeError = this.#closeErrors.get(channel);
    if (closeError && /NOT.FOUND/.test(closeError.message) && closeError.message.includes(`exchange '${exchange}'`)) {
      return {
        kind: 'failed',
        error: new ExchangeNotFoundError(
          'NOT_FOUND',
          `Exchange "${exchange}" does not exist: declare it before publishing`,
          {
            cause: closeError,
          },
        ),
      };
    }
    return { kind: 'lost' };
  }

  #nacked(exchange: string, routingKey: string, target: string): RetryKitError {
    if (exchange === '' && this.#isRejectPublishQueue(routingKey)) {
      return new QueueFullError(
        'QUEUE_FULL',
        `Queue "${routingKey}" is full (x-overflow: reject-publish): the broker refused the message`,
      );
    }
    return new PublishNackedError(
      'NACKED',
      `The broker refused the message published to ${target} (nack). Usually a queue it routes to is full (x-overflow: reject-publish)`,
    );
  }
}

function timeout(target: string): TimeoutError {
  return new TimeoutError(
    'TIMEOUT',
    `The broker did not confirm the message published to ${target} in time: it may or may not have been stored. Publish again if unsure (consumers should be idempotent)`,
  );
}

/** `promise`'s value, or false once `deadline` (epoch ms) passes. */
async function withDeadline<T>(promise: Promise<T>, deadline: number): Promise<T | false> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}
