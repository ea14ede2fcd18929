// The official tutorial's three ways to wait for publisher confirms, and
// publishing with none, for comparison. Each publishes `bodies` to `queue`
// through the default exchange and resolves when it is done.
import { once } from 'node:events';
import type { Channel, ConfirmChannel, Message } from 'amqplib';

/** Without confirms: done once every message is written, with no word from the broker. */
export async function publishWithoutConfirms(channel: Channel, queue: string, bodies: Buffer[]): Promise<void> {
  for (const body of bodies) {
    // false: the socket's buffer is full. Wait for it to drain, or memory grows without bound.
    if (!channel.sendToQueue(queue, body)) await once(channel, 'drain');
  }
}

/** Strategy 1: publish one message, wait for its confirm, publish the next. */
export async function publishIndividually(channel: ConfirmChannel, queue: string, bodies: Buffer[]): Promise<void> {
  for (const body of bodies) {
    channel.sendToQueue(queue, body);
    // Rejects if the broker nacked it: this message, and only this one, needs handling.
    await channel.waitForConfirms();
  }
}

/** Strategy 2: publish a batch, wait for all of its confirms, publish the next batch. */
export async function publishInBatches(
  channel: ConfirmChannel,
  queue: string,
  bodies: Buffer[],
  batchSize = 100,
): Promise<void> {
  for (let start = 0; start < bodies.length; start += batchSize) {
    for (const body of bodies.slice(start, start + batchSize)) channel.sendToQueue(queue, body);
    // Rejects if any of the batch was nacked, without saying which: the whole batch is suspect.
    await channel.waitForConfirms();
  }
}

/** What became of one message, as far as the publisher can know. */
export type Outcome =
  | 'confirmed' // the broker has it: in a queue, or on disk for a durable queue
  | 'nacked' // the broker refused it (a full queue with reject-publish, an internal error)
  | 'returned' // mandatory, and no queue was bound to take it
  | 'unconfirmed'; // no answer before the channel closed: it may or may not have arrived

export interface OutgoingMessage {
  id: string;
  body: Buffer;
}

export interface AsyncOptions {
  /** How many messages may wait for their confirm at once; bounds memory. @default 256 */
  window?: number;
  /** Ask the broker to return a message no queue takes, instead of dropping it. @default false */
  mandatory?: boolean;
}

/**
 * Strategy 3: publish without waiting, and handle each confirm as it comes,
 * with at most `window` outstanding. Resolves with each message's outcome.
 */
export async function publishAsynchronously(
  channel: ConfirmChannel,
  exchange: string,
  routingKey: string,
  messages: OutgoingMessage[],
  { window = 256, mandatory = false }: AsyncOptions = {},
): Promise<Map<string, Outcome>> {
  const outcomes = new Map<string, Outcome>(messages.map(({ id }) => [id, 'unconfirmed']));
  // The broker sends a return before the confirm of the same message.
  const returned = new Set<string>();
  const onReturn = (message: Message) => returned.add(message.properties.messageId);
  channel.on('return', onReturn);
  let outstanding = 0;
  let settled: (() => void) | undefined;
  const nextAnswer = () => new Promise<void>((resolve) => (settled = resolve));
  try {
    for (const { id, body } of messages) {
      while (outstanding >= window) await nextAnswer();
      outstanding++;
      channel.publish(exchange, routingKey, body, { messageId: id, mandatory }, (error) => {
        outstanding--;
        if (!error) outcomes.set(id, returned.has(id) ? 'returned' : 'confirmed');
        // Otherwise amqplib says "message nacked", or "channel closed" for every message still waiting.
        else if (error.message === 'message nacked') outcomes.set(id, 'nacked');
        settled?.();
      });
    }
  } catch {
    outstanding--; // publish threw: the channel is closed, and the rest stay unconfirmed
  }
  // Every message published gets its answer, even if only "channel closed".
  while (outstanding > 0) await nextAnswer();
  channel.off('return', onReturn);
  return outcomes;
}
