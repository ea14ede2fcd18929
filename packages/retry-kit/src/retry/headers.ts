import type { Message } from 'amqplib';

/** The kit's own headers. Attempts are counted here, never in x-death (RabbitMQ 4.x ignores a client-set x-death). */
export const HEADERS = {
  /** Failed attempts so far. */
  attempts: 'x-retry-attempts',
  /** Epoch ms of the first publish, for deadlines counted from publish. */
  publishedAt: 'x-retry-published-at',
  firstFailure: 'x-retry-first-failure',
  lastFailure: 'x-retry-last-failure',
  lastError: 'x-retry-last-error',
  /** Epoch ms a delayed message is due back: what `retry-kit inspect` groups waiting messages by. */
  dueAt: 'x-retry-due-at',
  /**
   * The queue a delayed message returns to, read by `retry-kit inspect`,
   * `peek` and `dead`. No x- prefix: ladders declared before December 2026
   * route messages home with a headers exchange that matches on it, and
   * headers exchanges ignore x- headers.
   */
  queue: 'retry-queue',
  /** Set on dead letters. */
  reason: 'x-dead-letter-reason',
  originalMessageId: 'x-original-message-id',
  /** How often `retry-kit dead replay` sent a dead letter back. */
  replays: 'x-retry-replays',
  /** Redeliveries without a settlement, counted by the kit on classic queues (the crash-loop guard). */
  redeliveries: 'x-retry-redeliveries',
  /** On what a handler returned for `next`: the queue whose handler it came from. */
  chainedFrom: 'x-chained-from',
} as const;

/** Why a message goes to the dead-letter queue: its `x-dead-letter-reason` header. */
export const DEAD_LETTER_REASONS = [
  'exhausted',
  'deadline',
  'permanent',
  'invalid',
  'unknown-type',
  'crash-loop',
] as const;

/** Why a message went to the dead-letter queue. */
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

/** What the kit knows of a message's history, from its headers. */
export interface RetryState {
  attempts: number;
  publishedAt: number | undefined;
  firstFailure: number | undefined;
}

export function numberHeader(headers: Record<string, unknown>, name: string): number | undefined {
  const value = headers[name];
  const number = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN;
  return Number.isFinite(number) ? number : undefined;
}

export function readRetryState(message: Message): RetryState {
  const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
  const timestamp = message.properties.timestamp as number | undefined;
  return {
    attempts: numberHeader(headers, HEADERS.attempts) ?? 0,
    publishedAt: numberHeader(headers, HEADERS.publishedAt) ?? (timestamp ? timestamp * 1000 : undefined),
    firstFailure: numberHeader(headers, HEADERS.firstFailure),
  };
}

/** Longest error message kept in a header. */
export const MAX_ERROR_LENGTH = 500;

export function errorSummary(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH - 1)}…` : text;
}

// Per-message TTLs and the broker's own death records do not travel on:
// an expiration inside a delay queue would bring back head-of-line blocking.
const DROPPED_HEADERS = new Set<string>([
  'x-death',
  'x-first-death-queue',
  'x-first-death-reason',
  'x-first-death-exchange',
  'x-last-death-queue',
  'x-last-death-reason',
  'x-last-death-exchange',
  // Counted afresh for each copy: a retry is a new message to the broker.
  'x-delivery-count',
  HEADERS.redeliveries,
]);

/** A message's headers as a copy of it (retry, dead letter, put back) carries them: without the broker's own. */
export function carriedHeaders(message: Message): Record<string, unknown> {
  const carried: Record<string, unknown> = {};
  const headers = message.properties.headers as Record<string, unknown> | undefined;
  if (headers) for (const name of Object.keys(headers)) if (!DROPPED_HEADERS.has(name)) carried[name] = headers[name];
  return carried;
}

/** Headers of a message going back for another attempt. */
export function retryHeaders(
  message: Message,
  state: RetryState,
  queue: string,
  error: unknown,
  now: number,
  delay: number,
): Record<string, unknown> {
  const headers = carriedHeaders(message);
  headers[HEADERS.attempts] = state.attempts + 1;
  headers[HEADERS.publishedAt] = state.publishedAt ?? now;
  headers[HEADERS.firstFailure] = state.firstFailure ?? now;
  headers[HEADERS.lastFailure] = now;
  headers[HEADERS.lastError] = errorSummary(error);
  headers[HEADERS.queue] = queue;
  headers[HEADERS.dueAt] = now + delay;
  return headers;
}

export interface DeadLetterFacts {
  state: RetryState;
  queue: string;
  reason: DeadLetterReason;
  error: unknown;
  now: number;
  /** False when the message never reached a handler (undecodable, invalid, no handler for its type). */
  countsAsAttempt: boolean;
}

/** Headers of a dead letter: why, how often, when, and where it came from. */
export function deadLetterHeaders(
  message: Message,
  { state, queue, reason, error, now, countsAsAttempt }: DeadLetterFacts,
): Record<string, unknown> {
  const headers = carriedHeaders(message);
  headers[HEADERS.reason] = reason;
  headers[HEADERS.attempts] = state.attempts + (countsAsAttempt ? 1 : 0);
  headers[HEADERS.firstFailure] = state.firstFailure ?? now;
  headers[HEADERS.lastFailure] = now;
  headers[HEADERS.lastError] = errorSummary(error);
  headers[HEADERS.queue] = queue;
  headers[HEADERS.originalMessageId] = message.properties.messageId;
  return headers;
}
