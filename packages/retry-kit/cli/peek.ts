import type { Channel, ChannelModel, GetMessage } from 'amqplib';
import { HEADERS } from '../src/tooling.js';

/** What a dead letter says about itself, from the kit's headers. */
export interface DeadLetter {
  id: string | undefined;
  reason: string;
  attempts: number;
  lastError: string;
  /** The work queue it failed in. */
  queue: string | undefined;
  lastFailureAt: number | undefined;
  type: string | undefined;
  /** How often it was replayed before. */
  replays: number;
}

export function describeDeadLetter(message: GetMessage): DeadLetter {
  const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
  const text = (name: string) => (headers[name] === undefined ? undefined : String(headers[name]));
  const number = (name: string) => (Number.isFinite(Number(headers[name])) ? Number(headers[name]) : undefined);
  return {
    id: text(HEADERS.originalMessageId) ?? message.properties.messageId,
    reason: text(HEADERS.reason) ?? 'unknown',
    attempts: number(HEADERS.attempts) ?? 0,
    lastError: text(HEADERS.lastError) ?? '',
    queue: text(HEADERS.queue),
    lastFailureAt: number(HEADERS.lastFailure),
    type: message.properties.type,
    replays: number(HEADERS.replays) ?? 0,
  };
}

/**
 * Takes up to `limit` messages from `queue` without acking them, on a
 * channel of its own, and calls `visit` with each. Closing the channel gives
 * every message not acked in `visit` back to its place in the queue: a peek
 * loses nothing and, on classic queues, keeps the order.
 */
export async function walkQueue(
  connection: ChannelModel,
  queue: string,
  limit: number,
  visit: (message: GetMessage, channel: Channel) => Promise<void> | void,
  channel?: Channel,
): Promise<number> {
  const own = channel ?? (await connection.createChannel());
  let seen = 0;
  try {
    while (seen < limit) {
      const message = await own.get(queue, { noAck: false });
      if (message === false) break;
      seen++;
      await visit(message, own);
    }
  } finally {
    if (!channel) await own.close();
  }
  return seen;
}
