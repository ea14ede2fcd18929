import type { ConsumeMessage } from 'amqplib';
import { HEADERS, type RetryState } from './retry/headers.js';

/** A delivered message, as a handler sees it. */
export interface Delivery {
  queue: string;
  messageId: string | undefined;
  type: string | undefined;
  headers: Record<string, unknown>;
  /** True when the broker delivered it before (to a consumer that died or gave it back). */
  redelivered: boolean;
  /** Failed attempts before this one (0 on the first). */
  attempts: number;
  /** The raw amqplib message, for what the kit does not surface. */
  raw: ConsumeMessage;
}

/** A message as its handler sees it. */
export function toDelivery(queue: string, message: ConsumeMessage, state: RetryState): Delivery {
  const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
  return {
    queue,
    messageId: message.properties.messageId as string | undefined,
    type: message.properties.type as string | undefined,
    headers,
    // On a classic queue the crash-loop guard puts a redelivered message back with its count: still a redelivery.
    redelivered: message.fields.redelivered || headers[HEADERS.redeliveries] !== undefined,
    attempts: state.attempts,
    raw: message,
  };
}
