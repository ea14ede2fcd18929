import type { Channel, ChannelModel, ConfirmChannel, ConsumeMessage, Options, Replies } from 'amqplib';
import { asTopologyConflict } from './topology.js';

/** Runs on a fresh channel after every (re)connection: declare, prefetch, consume. */
export type ChannelSetup<C extends Channel = Channel> = (channel: C) => Promise<void>;

/** Options of `RabbitClient.setupChannel`. */
export interface SetupChannelOptions {
  /** A confirm channel (`waitForConfirms`, publish callbacks). @default false */
  confirm?: boolean;
}

// Quorum queues may ignore acks sent right before their channel closes
// (rabbitmq-server 10327); nothing in AMQP says when an ack is settled.
const ACK_SETTLE_MS = 300;

/**
 * A channel the program drives with amqplib's own API, kept alive by the
 * client: `setup` runs again on a new channel after every reconnect, and on
 * close the consumers it started are cancelled and the messages in hand are
 * finished (acked or rejected by the program) before the channel closes.
 * A declaration in `setup` that conflicts with what the broker has rejects
 * with a {@link TopologyConflictError}.
 */
export class ManagedChannel<C extends Channel = Channel> {
  readonly #setup: ChannelSetup<C>;
  readonly #confirm: boolean;
  readonly #onLost: (model: ChannelModel) => void;
  #closing = false;
  #channel: C | undefined;
  #latest: C | undefined;
  #consumerTags = new Set<string>();
  #inHand = new Set<ConsumeMessage>();
  #lastAckAt = 0;
  #idle: (() => void) | undefined;

  /** What to call this channel in a log line. */
  readonly label = 'a channel of setupChannel';

  /**
   * @internal use {@link RabbitClient.setupChannel}
   * @param onLost called when the broker closes the channel while the connection lives on
   */
  constructor(setup: ChannelSetup<C>, options: SetupChannelOptions, onLost: (model: ChannelModel) => void) {
    this.#setup = setup;
    this.#confirm = options.confirm ?? false;
    this.#onLost = onLost;
  }

  /**
   * The channel setup last ran on. Between a drop and the next connection it
   * is the closed one, and amqplib throws "Channel closed" on its use.
   */
  get channel(): C {
    return this.#latest as C;
  }

  /** @internal on every connection, and after the broker closed the channel */
  async start(model: ChannelModel): Promise<void> {
    if (this.#closing) return;
    const channel = (this.#confirm ? await model.createConfirmChannel() : await model.createChannel()) as C;
    this.#consumerTags = new Set();
    this.#inHand = new Set();
    this.#track(channel);
    this.#channel = channel;
    this.#latest = channel;
    let settingUp = true;
    // A channel error (a conflicting declaration, an ack of an unknown
    // delivery tag) closes the channel: without a listener, amqplib would
    // take the whole connection down with it.
    channel.on('error', () => {});
    channel.once('close', () => {
      if (this.#channel !== channel) return;
      this.#channel = undefined;
      this.#inHand.clear(); // the broker gives unacked messages back
      this.#idle?.();
      if (!settingUp && !this.#closing) this.#onLost(model);
    });
    try {
      await this.#setup(channel);
      settingUp = false;
    } catch (error) {
      this.#channel = undefined;
      await channel.close().catch(() => undefined);
      throw asTopologyConflict(error);
    }
  }

  /** Counts what the program has in hand, so close() can wait for it. */
  #track(channel: C): void {
    const consume = channel.consume.bind(channel);
    channel.consume = async (
      queue: string,
      onMessage: (message: ConsumeMessage | null) => void,
      options?: Options.Consume,
    ): Promise<Replies.Consume> => {
      const manual = !options?.noAck;
      const reply = await consume(
        queue,
        (message) => {
          if (message && manual) this.#inHand.add(message);
          onMessage(message);
        },
        options,
      );
      this.#consumerTags.add(reply.consumerTag);
      return reply;
    };
    const settled = (message: ConsumeMessage, allUpTo?: boolean) => {
      this.#lastAckAt = Date.now();
      if (allUpTo) {
        const tag = message.fields.deliveryTag;
        for (const held of this.#inHand) if (held.fields.deliveryTag <= tag) this.#inHand.delete(held);
      } else {
        this.#inHand.delete(message);
      }
      if (this.#inHand.size === 0) this.#idle?.();
    };
    // On a channel that has closed, an ack has nothing left to settle: the
    // broker gave the message back when the channel went. amqplib would throw,
    // and a handler finishing its work after a broker restart would crash.
    const open = () => this.#channel === channel;
    const { ack, nack, reject, ackAll, nackAll } = channel;
    channel.ack = (message, allUpTo) => {
      if (!open()) return;
      ack.call(channel, message, allUpTo);
      settled(message as ConsumeMessage, allUpTo);
    };
    channel.nack = (message, allUpTo, requeue) => {
      if (!open()) return;
      nack.call(channel, message, allUpTo, requeue);
      settled(message as ConsumeMessage, allUpTo);
    };
    channel.reject = (message, requeue) => {
      if (!open()) return;
      reject.call(channel, message, requeue);
      settled(message as ConsumeMessage);
    };
    channel.ackAll = () => {
      if (!open()) return;
      ackAll.call(channel);
      this.#inHand.clear();
      this.#lastAckAt = Date.now();
    };
    channel.nackAll = (requeue) => {
      if (!open()) return;
      nackAll.call(channel, requeue);
      this.#inHand.clear();
      this.#lastAckAt = Date.now();
    };
  }

  /**
   * @internal Cancels its consumers, waits (up to the deadline) for the
   * messages in hand, then closes. Resolves with how many were still in hand.
   */
  async close(deadline: number): Promise<number> {
    this.#closing = true;
    const channel = this.#channel;
    if (!channel) return 0;
    await Promise.all([...this.#consumerTags].map((tag) => channel.cancel(tag).catch(() => undefined)));
    if (this.#inHand.size > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
        this.#idle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    const sinceAck = Date.now() - this.#lastAckAt;
    if (sinceAck < ACK_SETTLE_MS) await new Promise((resolve) => setTimeout(resolve, ACK_SETTLE_MS - sinceAck));
    if (this.#confirm) await (channel as unknown as ConfirmChannel).waitForConfirms().catch(() => undefined);
    const unfinished = this.#inHand.size;
    this.#channel = undefined;
    await channel.close().catch(() => undefined);
    return unfinished;
  }
}
