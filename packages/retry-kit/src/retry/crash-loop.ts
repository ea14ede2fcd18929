import type { Message } from 'amqplib';
import { HEADERS, numberHeader } from './headers.js';

/** How often a message was delivered before without being settled: its handler's worker died each time, perhaps. */
export interface RedeliveryCount {
  redeliveries: number;
  /**
   * True on classic queues, which mark a redelivery but do not count them:
   * the kit keeps the count in its own header, by putting the message back
   * with it before handling it.
   */
  mustRecord: boolean;
}

/**
 * What the crash-loop guard knows of a delivery, or undefined for a message
 * never redelivered. Quorum queues count in `x-delivery-count`; a classic
 * queue's redelivered message has the kit's count, from the copy it put back.
 */
export function redeliveryCount(message: Message): RedeliveryCount | undefined {
  const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
  const byBroker = headers['x-delivery-count'];
  if (typeof byBroker === 'number' && byBroker > 0) return { redeliveries: byBroker, mustRecord: false };
  if (!message.fields.redelivered) return undefined;
  return { redeliveries: (numberHeader(headers, HEADERS.redeliveries) ?? 0) + 1, mustRecord: true };
}
