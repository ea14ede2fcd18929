import type { ConsumeMessage, Options } from 'amqplib';
import { decode } from './codec.js';
import type { Delivery, Handler } from './consumer.js';
import type { DelayTopology } from './delays/delay-topology.js';
import type { Logger } from './logger.js';
import type { Publisher } from './publisher.js';
import { deadLetterHeaders, HEADERS, readRetryState, retryHeaders } from './retry/headers.js';
import { type DeadLetterReason, decide, type RetryPolicy } from './retry/policy.js';
import type { Topology } from './topology.js';

/** What to tell the broker about a message once the kit is done with it. */
export type Settlement = 'ack' | 'requeue';

export interface HandlingOptions<T> {
  queue: string;
  /** One handler, or one per message `type`. */
  handler: Handler<T> | Record<string, Handler<never>>;
  policy: RetryPolicy;
  deadLetterQueue: string;
  validate: ((payload: unknown, delivery: Delivery) => T) | undefined;
  next: string | undefined;
  publisher: Publisher;
  delays: DelayTopology;
  /** Declares without recording for re-declaration (delay queues manage their own). */
  assert: (topology: Topology) => Promise<void>;
  /** Declares the dead-letter queue and the way back from delays; called before the first retry or dead letter. */
  prepare: () => Promise<void>;
  logger: Logger;
  onRetry: (event: RetryScheduledEvent) => void;
  onDeadLetter: (event: DeadLetteredEvent) => void;
}

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
  const { queue, policy, deadLetterQueue, publisher, delays, logger } = options;

  async function deadLetter(
    message: ConsumeMessage,
    delivery: Delivery,
    reason: DeadLetterReason,
    error: unknown,
    countsAsAttempt: boolean,
  ): Promise<Settlement> {
    const headers = deadLetterHeaders(
      message,
      readRetryState(message),
      queue,
      reason,
      error,
      Date.now(),
      countsAsAttempt,
    );
    await options.prepare();
    await publisher.publish('', deadLetterQueue, message.content, carriedProperties(message, headers));
    logger.warn(
      `"${queue}": message ${delivery.messageId ?? ''} dead-lettered to "${deadLetterQueue}" (${reason}): ${String(headers['x-retry-last-error'])}`,
    );
    const attempts = Number(headers[HEADERS.attempts]);
    options.onDeadLetter({ queue, messageId: delivery.messageId, reason, deadLetterQueue, attempts, error, delivery });
    return 'ack';
  }

  async function failed(message: ConsumeMessage, delivery: Delivery, error: unknown): Promise<Settlement> {
    const state = readRetryState(message);
    const now = Date.now();
    const from = policy.deadlineFrom === 'first-failure' ? (state.firstFailure ?? now) : (state.publishedAt ?? now);
    const deadlineAt = policy.deadline === undefined ? undefined : from + policy.deadline;
    const attemptNumber = state.attempts + 1;
    const decision = await decide(policy, error, attemptNumber, deadlineAt, { now, quantise: delays.quantises });
    if (decision.kind === 'dead-letter') return deadLetter(message, delivery, decision.reason, error, true);

    await options.prepare();
    const route = await delays.route(decision.delay, queue, options.assert);
    const headers = retryHeaders(message, state, queue, error, now, decision.delay);
    const properties = carriedProperties(message, headers);
    await publisher.publish(
      route.exchange,
      route.routingKey,
      message.content,
      route.cc ? { ...properties, CC: route.cc } : properties,
    );
    options.onRetry({ queue, messageId: delivery.messageId, attemptNumber, delay: decision.delay, error, delivery });
    return 'ack';
  }

  async function handle(message: ConsumeMessage, delivery: Delivery): Promise<Settlement> {
    let payload: unknown;
    try {
      payload = decode(message);
    } catch (error) {
      return deadLetter(message, delivery, 'invalid', error, false);
    }
    const handler = pickHandler(options.handler, delivery.type);
    if (!handler) {
      const error = new Error(`No handler for message type "${delivery.type ?? '(none)'}"`);
      return deadLetter(message, delivery, 'unknown-type', error, false);
    }
    if (options.validate) {
      try {
        payload = options.validate(payload, delivery);
      } catch (error) {
        return deadLetter(message, delivery, 'invalid', error, false);
      }
    }
    try {
      const result = await handler(payload as never, delivery);
      if (options.next !== undefined && result !== undefined) {
        await publisher.publish('', options.next, result, {
          correlationId: delivery.messageId,
          headers: { 'x-chained-from': queue },
        });
      }
      return 'ack';
    } catch (error) {
      logger.warn(
        `"${queue}": attempt ${readRetryState(message).attempts + 1} failed for message ${delivery.messageId ?? ''}: ${(error as Error)?.message ?? String(error)}`,
      );
      return failed(message, delivery, error);
    }
  }

  /** Never throws: if the retry or dead letter cannot be stored, the message goes back to its queue. */
  return async (message: ConsumeMessage, delivery: Delivery): Promise<Settlement> => {
    try {
      return await handle(message, delivery);
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
