import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import { DecodeError, decode } from './codec.js';
import type { Logger } from './logger.js';

/** A delivered message, as a handler sees it. */
export interface Delivery {
  queue: string;
  messageId: string | undefined;
  type: string | undefined;
  headers: Record<string, unknown>;
  /** True when the broker delivered it before (to a consumer that died or gave it back). */
  redelivered: boolean;
  /** The raw amqplib message, for what the kit does not surface. */
  raw: ConsumeMessage;
}

/** Handles one message. Resolve to ack it; throw to reject it. */
export type Handler<T> = (payload: T, delivery: Delivery) => Promise<unknown> | unknown;

export interface ConsumeOptions {
  /** Messages handed out before earlier ones are acked: also how many handlers run at once. @default 10 */
  prefetch?: number;
}

/**
 * One consumer of one queue, on a channel of its own so its prefetch and its
 * failures stay its own. Re-created on every new connection.
 */
export class Consumer<T = unknown> {
  readonly queue: string;
  readonly #handler: Handler<T>;
  readonly #prefetch: number;
  readonly #logger: Logger;
  #channel: Channel | undefined;
  #consumerTag: string | undefined;
  #stopped = false;
  #inFlight = 0;
  #idle: (() => void) | undefined;
  readonly #onChannelLost: (model: ChannelModel) => void;

  /** `onChannelLost` is told when the channel dies while its connection lives on. */
  constructor(
    queue: string,
    handler: Handler<T>,
    options: ConsumeOptions,
    logger: Logger,
    onChannelLost: (model: ChannelModel) => void,
  ) {
    this.queue = queue;
    this.#handler = handler;
    this.#prefetch = options.prefetch ?? 10;
    this.#logger = logger;
    this.#onChannelLost = onChannelLost;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  /** Starts consuming on `model`; called for each new connection. */
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
    this.#channel = channel;
    const { consumerTag } = await channel.consume(this.queue, (message) => {
      if (message === null) {
        this.#logger.warn(`the broker cancelled the consumer of "${this.queue}" (queue deleted?)`);
        return;
      }
      void this.#handle(channel, message);
    });
    this.#consumerTag = consumerTag;
  }

  async #handle(channel: Channel, message: ConsumeMessage): Promise<void> {
    this.#inFlight++;
    try {
      let payload: T;
      try {
        payload = decode(message) as T;
      } catch (error) {
        if (!(error instanceof DecodeError)) throw error;
        this.#logger.warn(`"${this.queue}": rejected message ${message.properties.messageId ?? ''}: ${error.message}`);
        settle(channel, message, false);
        return;
      }
      try {
        await this.#handler(payload, toDelivery(this.queue, message));
        settle(channel, message, true);
      } catch (error) {
        this.#logger.warn(
          `"${this.queue}": handler failed for message ${message.properties.messageId ?? ''}: ${(error as Error).message}`,
        );
        settle(channel, message, false);
      }
    } finally {
      this.#inFlight--;
      if (this.#inFlight === 0) this.#idle?.();
    }
  }

  /** Stops taking new messages; handlers already running go on. */
  async stopConsuming(): Promise<void> {
    this.#stopped = true;
    const channel = this.#channel;
    if (channel && this.#consumerTag) await channel.cancel(this.#consumerTag).catch(() => {});
  }

  /** Resolves when no handler is running. */
  async settled(): Promise<void> {
    while (this.#inFlight > 0) await new Promise<void>((resolve) => (this.#idle = resolve));
  }

  /** Stops consuming, waits for running handlers, and closes the channel. */
  async cancel(): Promise<void> {
    await this.stopConsuming();
    await this.settled();
    await this.closeChannel();
  }

  async closeChannel(): Promise<void> {
    await this.#channel?.close().catch(() => {});
    this.#channel = undefined;
  }
}

/**
 * Acks or rejects on the channel the message came on. If that channel died
 * meanwhile, the delivery tag means nothing any more: the broker has already
 * put the message back for redelivery, so there is nothing to do.
 */
function settle(channel: Channel, message: ConsumeMessage, ok: boolean): void {
  try {
    if (ok) channel.ack(message);
    else channel.nack(message, false, false);
  } catch {
    // IllegalOperationError: channel closed; the broker redelivers the message.
  }
}

function toDelivery(queue: string, message: ConsumeMessage): Delivery {
  return {
    queue,
    messageId: message.properties.messageId as string | undefined,
    type: message.properties.type as string | undefined,
    headers: (message.properties.headers ?? {}) as Record<string, unknown>,
    redelivered: message.fields.redelivered,
    raw: message,
  };
}
