import type { ConsumeMessage, Options } from 'amqplib';
import { decode } from './codec.js';
import { type Delivery, toDelivery } from './delivery.js';
import type { Logger } from './logger.js';
import type { Publisher } from './publisher.js';
import { type RedeliveryCount, redeliveryCount } from './retry/crash-loop.js';
import type { FailureRoutes } from './retry/failure-routes.js';
import {
  carriedHeaders,
  type DeadLetterReason,
  deadLetterHeaders,
  HEADERS,
  type RetryState,
  readRetryState,
  retryHeaders,
} from './retry/headers.js';
import { deadlineAt, decide, type RetryPolicy } from './retry/policy.js';
import type { AttemptOutcome, Telemetry } from './telemetry.js';

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
  /** Redeliveries without a settlement before a message is dead-lettered as 'crash-loop'; false for no limit. */
  maxRedeliveries: number | false;
  telemetry: Telemetry | undefined;
  onRetry: (event: RetryScheduledEvent) => void;
  onDeadLetter: (event: DeadLetteredEvent) => void;
}

/** A message, its retry history (read once, from its headers) and what its handler sees. */
interface Received {
  message: ConsumeMessage;
  state: RetryState;
  delivery: Delivery;
}

/** The properties a copy of `message` is published with, `headers` (from {@link carriedHeaders}) among them. */
function carriedProperties(message: ConsumeMessage, headers: Record<string, unknown>): Options.Publish {
  const { properties } = message;
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

/** What became of one delivery. */
export interface Processed {
  settlement: Settlement;
  outcome: AttemptOutcome;
  /**
   * What the handler's run says of what it calls, for a circuit breaker: down
   * when it failed in a way the policy retries, up when it succeeded or failed
   * for good (`PermanentError`: the service answered), undefined when the
   * handler did not run.
   */
  downstream?: 'up' | 'down';
  error?: unknown;
  /** Milliseconds the handler ran, when it ran and telemetry is on. */
  handlerMs?: number;
}

const ACKED: Processed = { settlement: 'ack', outcome: 'acked', downstream: 'up' };

/**
 * Runs one delivery through the crash-loop guard, decode, validation, routing
 * by type, the handler and the chain, and decides where it goes: acked,
 * retried later, or dead-lettered. A retry or dead letter is confirmed by the
 * broker before the original is acked; if it cannot be stored, the original
 * is given back.
 */
export function createHandling<T>(options: HandlingOptions<T>) {
  const { policy, routes, publisher, logger, telemetry } = options;
  const { queue, deadLetterQueue } = routes;

  async function deadLetter(
    { message, state, delivery }: Received,
    reason: DeadLetterReason,
    error: unknown,
    { countsAsAttempt }: { countsAsAttempt: boolean },
  ): Promise<Settlement> {
    const headers = deadLetterHeaders(message, { state, queue, reason, error, now: Date.now(), countsAsAttempt });
    const attempts = Number(headers[HEADERS.attempts]);
    await routes.deadLetter(message.content, carriedProperties(message, headers), {
      reason,
      attemptNumber: countsAsAttempt ? attempts : 0,
    });
    logger.warn(
      `"${queue}": message ${delivery.messageId ?? ''} dead-lettered to "${deadLetterQueue}" (${reason}): ${String(headers[HEADERS.lastError])}`,
    );
    options.onDeadLetter({ queue, messageId: delivery.messageId, reason, deadLetterQueue, attempts, error, delivery });
    return 'ack';
  }

  async function unhandled(received: Received, reason: DeadLetterReason, error: unknown): Promise<Processed> {
    const settlement = await deadLetter(received, reason, error, { countsAsAttempt: false });
    return { settlement, outcome: 'dead-lettered', error };
  }

  async function failed(received: Received, error: unknown): Promise<Processed> {
    const { message, state, delivery } = received;
    const now = Date.now();
    const attemptNumber = state.attempts + 1;
    const decision = await decide(policy, error, attemptNumber, deadlineAt(policy, state, now), {
      now,
      quantise: routes.quantisesDelays,
    });
    if (decision.kind === 'dead-letter') {
      const settlement = await deadLetter(received, decision.reason, error, { countsAsAttempt: true });
      const downstream = decision.reason === 'permanent' ? 'up' : 'down';
      return { settlement, outcome: 'dead-lettered', downstream, error };
    }
    const headers = retryHeaders(message, state, queue, error, now, decision.delay);
    await routes.retry(message.content, carriedProperties(message, headers), decision.delay, attemptNumber);
    options.onRetry({ queue, messageId: delivery.messageId, attemptNumber, delay: decision.delay, error, delivery });
    return { settlement: 'ack', outcome: 'retried', downstream: 'down', error };
  }

  /**
   * The guard's put-backs and dead letters whose originals' acks are not
   * written yet. Handlers wait for them: a handler that kills the process
   * (what the guard is for) would take those acks with it, and the original
   * would come back uncounted, once more for every crash. With a prefetch
   * above 1 the put-back copy is often in hand before its original's ack.
   */
  const guardsInFlight = new Set<Promise<void>>();

  async function afterGuards(received: Received): Promise<Processed> {
    while (guardsInFlight.size > 0) await Promise.all(guardsInFlight);
    return run(received);
  }

  /** A redelivery the guard counts: dead-lettered past the limit, else put back with its count. */
  async function guarded(received: Received, count: RedeliveryCount, limit: number): Promise<Processed | undefined> {
    if (count.redeliveries <= limit && !count.mustRecord) return undefined;
    let written = () => {};
    const inFlight = new Promise<void>((resolve) => (written = resolve));
    guardsInFlight.add(inFlight);
    try {
      if (count.redeliveries <= limit) {
        const { message } = received;
        const headers = carriedHeaders(message);
        headers[HEADERS.redeliveries] = count.redeliveries;
        await routes.putBack(message.content, carriedProperties(message, headers));
        return { settlement: 'ack', outcome: 'counted' };
      }
      const error = new Error(
        `redelivered ${count.redeliveries} times without being settled, more than maxRedeliveries (${limit}): its handler may be crashing the worker`,
      );
      return await unhandled(received, 'crash-loop', error);
    } finally {
      // The consumer acks the original when this returns, and amqplib writes
      // that ack to the socket in an immediate scheduled then: the second
      // immediate from now comes after it.
      setImmediate(() =>
        setImmediate(() => {
          guardsInFlight.delete(inFlight);
          written();
        }),
      );
    }
  }

  /** A redelivery the guard counts first, then the message as usual. */
  async function guardedFirst(received: Received, count: RedeliveryCount, limit: number): Promise<Processed> {
    return (await guarded(received, count, limit)) ?? run(received);
  }

  /**
   * Settles a message without a promise when it can: a handler that returns
   * (not a promise) with nothing to chain is acked in the same tick, as a
   * hand-written consumer does. Everything else goes on asynchronously.
   */
  function handle(received: Received): Processed | Promise<Processed> {
    const limit = options.maxRedeliveries;
    const count = limit === false ? undefined : redeliveryCount(received.message);
    if (count && limit !== false) return guardedFirst(received, count, limit);
    if (guardsInFlight.size > 0) return afterGuards(received);
    return run(received);
  }

  /** Decodes, validates and routes by type, then calls the handler. */
  function run(received: Received): Processed | Promise<Processed> {
    const { message, delivery } = received;
    let payload: unknown;
    try {
      payload = decode(message);
    } catch (error) {
      return unhandled(received, 'invalid', error);
    }
    const handler = pickHandler(options.handler, delivery.type);
    if (!handler) {
      return unhandled(
        received,
        'unknown-type',
        new Error(`No handler for message type "${delivery.type ?? '(none)'}"`),
      );
    }
    if (options.validate) {
      try {
        payload = options.validate(payload, delivery);
      } catch (error) {
        return unhandled(received, 'invalid', error);
      }
    }
    const startedAt = telemetry ? performance.now() : 0;
    let result: unknown;
    try {
      result = handler(payload as never, delivery);
    } catch (error) {
      return attemptFailed(received, error, startedAt, undefined);
    }
    if (isPromiseLike(result)) return handlerSettled(received, result, startedAt);
    return succeeded(received, result, startedAt);
  }

  async function handlerSettled(received: Received, pending: PromiseLike<unknown>, startedAt: number) {
    let result: unknown;
    try {
      result = await pending;
    } catch (error) {
      return attemptFailed(received, error, startedAt, undefined);
    }
    return succeeded(received, result, startedAt);
  }

  function succeeded(received: Received, result: unknown, startedAt: number): Processed | Promise<Processed> {
    const handlerMs = telemetry ? performance.now() - startedAt : undefined;
    if (options.next !== undefined && result !== undefined) return chained(received, result, handlerMs);
    return telemetry ? { ...ACKED, handlerMs } : ACKED;
  }

  /** Publishes what the handler returned to `next`; a publish that fails fails the attempt. */
  async function chained(received: Received, result: unknown, handlerMs: number | undefined): Promise<Processed> {
    const { delivery } = received;
    try {
      await publisher.publish(
        '',
        options.next as string,
        result,
        { correlationId: delivery.messageId, headers: { [HEADERS.chainedFrom]: queue } },
        { kind: 'chain', destination: options.next },
      );
    } catch (error) {
      return attemptFailed(received, error, 0, handlerMs);
    }
    return telemetry ? { ...ACKED, handlerMs } : ACKED;
  }

  async function attemptFailed(
    received: Received,
    error: unknown,
    startedAt: number,
    handlerMs: number | undefined,
  ): Promise<Processed> {
    if (telemetry) handlerMs ??= performance.now() - startedAt;
    logger.warn(
      `"${queue}": attempt ${received.state.attempts + 1} failed for message ${received.delivery.messageId ?? ''}: ${(error as Error)?.message ?? String(error)}`,
    );
    const processed = await failed(received, error);
    return telemetry ? { ...processed, handlerMs } : processed;
  }

  function givenBack(received: Received, error: unknown): Processed {
    logger.error(
      `"${queue}": could not store the retry or dead letter of message ${received.delivery.messageId ?? ''}, giving it back to the queue: ${(error as Error).message}`,
    );
    return { settlement: 'requeue', outcome: 'requeued', error };
  }

  /** Never throws nor rejects: if the retry or dead letter cannot be stored, the message goes back to its queue. */
  function processed(received: Received): Processed | Promise<Processed> {
    let result: Processed | Promise<Processed>;
    try {
      result = handle(received);
    } catch (error) {
      return givenBack(received, error);
    }
    return result instanceof Promise ? result.catch((error: unknown) => givenBack(received, error)) : result;
  }

  async function traced(tracing: Telemetry, received: Received): Promise<Processed> {
    const { delivery, state } = received;
    const attempt = tracing.handling({ queue, delivery, attemptNumber: state.attempts + 1 });
    const result = await attempt.run(async () => processed(received));
    attempt.end({ outcome: result.outcome, error: result.error, handlerMs: result.handlerMs });
    return result;
  }

  return (message: ConsumeMessage): Processed | Promise<Processed> => {
    const state = readRetryState(message);
    const received: Received = { message, state, delivery: toDelivery(queue, message, state) };
    return telemetry ? traced(telemetry, received) : processed(received);
  };
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | null | undefined)?.then === 'function';
}

function pickHandler<T>(
  handler: Handler<T> | Record<string, Handler<never>>,
  type: string | undefined,
): Handler<never> | undefined {
  if (typeof handler === 'function') return handler as Handler<never>;
  return type !== undefined && Object.hasOwn(handler, type) ? handler[type] : undefined;
}
