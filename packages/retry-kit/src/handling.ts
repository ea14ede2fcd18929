import type { ConsumeMessage, Options } from 'amqplib';
import { decode } from './codec.js';
import type { Logger } from './logger.js';
import type { Publisher } from './publisher.js';
import type { FailureRoutes } from './retry/failure-routes.js';
import {
  type DeadLetterReason,
  deadLetterHeaders,
  HEADERS,
  type RetryState,
  readRetryState,
  retryHeaders,
} from './retry/headers.js';
import { deadlineAt, decide, type RetryPolicy } from './retry/policy.js';

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

/**
 * Handles one message. Resolve to ack it (the value goes on to `next`, if
 * set); throw to retry it per the policy, or throw a {@link PermanentError}
 * to dead-letter it at once.
 */
export type Handler<T> = (payload: T, delivery: Delivery) => Promise<unknown> | unknown;

/** One handler per message `type`: `{ 'order.placed': (order: Order) => ... }`. */
export type HandlersByType<M> = { [K in keyof M]: Handler<M[K]> };

/** What to tell the broker about a message once the kit is done with it. */
export type Settlement = 'ack' | 'requeue';

/** A failed message's retry is stored: it comes back to `queue` after `delay` ms. */
export interface RetryScheduledEvent {
  queue: string;
  messageId: string | undefined;
  /** The attempt that just failed: 1 for the first. */
  attemptNumber: number;
  /** Milliseconds until the next attempt. */
  delay: number;
  /** What the handler threw. */
  error: unknown;
  /** The message as the handler saw it. */
  delivery: Delivery;
}

/** A message is stored in its dead-letter queue. */
export interface DeadLetteredEvent {
  queue: string;
  messageId: string | undefined;
  reason: DeadLetterReason;
  deadLetterQueue: string;
  /** Failed attempts in all, as the dead letter's `x-retry-attempts` header says (0 for a message never handled). */
  attempts: number;
  /** Why: what the handler threw, or the decoding, validation or routing error. */
  error: unknown;
  /** The message as the handler saw it. */
  delivery: Delivery;
}

export interface HandlingOptions<T> {
  /** One handler, or one per message `type`. */
  handler: Handler<T> | Record<string, Handler<never>>;
  policy: RetryPolicy;
  validate: ((payload: unknown, delivery: Delivery) => T) | undefined;
  next: string | undefined;
  /** Where failed messages go. */
  routes: FailureRoutes;
  /** For `next`. */
  publisher: Publisher;
  logger: Logger;
  onRetry: (event: RetryScheduledEvent) => void;
  onDeadLetter: (event: DeadLetteredEvent) => void;
}

/** A message, its retry history (read once, from its headers) and what its handler sees. */
interface Received {
  message: ConsumeMessage;
  state: RetryState;
  delivery: Delivery;
}

/** A message as its handler sees it. */
export function toDelivery(queue: string, message: ConsumeMessage, state: RetryState): Delivery {
  return {
    queue,
    messageId: message.properties.messageId as string | undefined,
    type: message.properties.type as string | undefined,
    headers: (message.properties.headers ?? {}) as Record<string, unknown>,
    redelivered: message.fields.redelivered,
    attempts: state.attempts,
    raw: message,
  };
}

// Per-message TTLs and the broker's own death records do not travel on:
// an expiration inside a delay queue would bring back head-of-line blocking.
const DROPPED_HEADERS = [
  'x-death',
  'x-first-death-queue',
  'x-first-death-reason',
  'x-first-death-exchange',
  'x-last-death-queue',
  'x-last-death-reason',
  'x-last-death-exchange',
];

function carriedProperties(message: ConsumeMessage, headers: Record<string, unknown>): Options.Publish {
  const { properties } = message;
  for (const name of DROPPED_HEADERS) delete headers[name];
  return {
    contentType: properties.contentType,
    contentEncoding: properties.contentEncoding,
    messageId: properties.messageId,
    correlationId: properties.correlationId,
    replyTo: properties.replyTo,
    type: properties.type,
    appId: properties.appId,
    priority: properties.priority,
    timestamp: properties.timestamp,
    persistent: properties.deliveryMode !== 1,
    headers,
  };
}

/**
 * Runs one delivery through decode, validation, routing by type, the handler
 * and the chain, and decides where it goes: acked, retried later, or
 * dead-lettered. A retry or dead letter is confirmed by the broker before the
 * original is acked; if it cannot be stored, the original is given back.
 */
export function createHandling<T>(options: HandlingOptions<T>) {
  const { policy, routes, publisher, logger } = options;
  const { queue, deadLetterQueue } = routes;

  async function deadLetter(
    { message, state, delivery }: Received,
    reason: DeadLetterReason,
    error: unknown,
    { countsAsAttempt }: { countsAsAttempt: boolean },
  ): Promise<Settlement> {
    const headers = deadLetterHeaders(message, { state, queue, reason, error, now: Date.now(), countsAsAttempt });
    await routes.deadLetter(message.content, carriedProperties(message, headers));
    logger.warn(
      `"${queue}": message ${delivery.messageId ?? ''} dead-lettered to "${deadLetterQueue}" (${reason}): ${String(headers[HEADERS.lastError])}`,
    );
    const attempts = Number(headers[HEADERS.attempts]);
    options.onDeadLetter({ queue, messageId: delivery.messageId, reason, deadLetterQueue, attempts, error, delivery });
    return 'ack';
  }

  async function failed(received: Received, error: unknown): Promise<Settlement> {
    const { message, state, delivery } = received;
    const now = Date.now();
    const attemptNumber = state.attempts + 1;
    const decision = await decide(policy, error, attemptNumber, deadlineAt(policy, state, now), {
      now,
      quantise: routes.quantisesDelays,
    });
    if (decision.kind === 'dead-letter') {
      return deadLetter(received, decision.reason, error, { countsAsAttempt: true });
    }
    const headers = retryHeaders(message, state, queue, error, now, decision.delay);
    await routes.retry(message.content, carriedProperties(message, headers), decision.delay);
    options.onRetry({ queue, messageId: delivery.messageId, attemptNumber, delay: decision.delay, error, delivery });
    return 'ack';
  }

  async function handle(received: Received): Promise<Settlement> {
    const { message, state, delivery } = received;
    const unhandled = { countsAsAttempt: false };
    let payload: unknown;
    try {
      payload = decode(message);
    } catch (error) {
      return deadLetter(received, 'invalid', error, unhandled);
    }
    const handler = pickHandler(options.handler, delivery.type);
    if (!handler) {
      const error = new Error(`No handler for message type "${delivery.type ?? '(none)'}"`);
      return deadLetter(received, 'unknown-type', error, unhandled);
    }
    if (options.validate) {
      try {
        payload = options.validate(payload, delivery);
      } catch (error) {
        return deadLetter(received, 'invalid', error, unhandled);
      }
    }
    try {
      const result = await handler(payload as never, delivery);
      if (options.next !== undefined && result !== undefined) {
        await publisher.publish('', options.next, result, {
          correlationId: delivery.messageId,
          headers: { [HEADERS.chainedFrom]: queue },
        });
      }
      return 'ack';
    } catch (error) {
      logger.warn(
        `"${queue}": attempt ${state.attempts + 1} failed for message ${delivery.messageId ?? ''}: ${(error as Error)?.message ?? String(error)}`,
      );
      return failed(received, error);
    }
  }

  /** Never throws: if the retry or dead letter cannot be stored, the message goes back to its queue. */
  return async (message: ConsumeMessage): Promise<Settlement> => {
    const state = readRetryState(message);
    const delivery = toDelivery(queue, message, state);
    try {
      return await handle({ message, state, delivery });
    } catch (error) {
      logger.error(
        `"${queue}": could not store the retry or dead letter of message ${delivery.messageId ?? ''}, giving it back to the queue: ${(error as Error).message}`,
      );
      return 'requeue';
    }
  };
}

function pickHandler<T>(
  handler: Handler<T> | Record<string, Handler<never>>,
  type: string | undefined,
): Handler<never> | undefined {
  if (typeof handler === 'function') return handler as Handler<never>;
  return type !== undefined && Object.hasOwn(handler, type) ? handler[type] : undefined;
}
