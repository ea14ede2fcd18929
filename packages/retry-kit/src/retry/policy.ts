import { PermanentError } from '../errors.js';
import { applyJitter, type Backoff, baseDelay, type Jitter, quantiseDelay } from './backoff.js';
import type { DeadLetterReason, RetryState } from './headers.js';

/** What `shouldRetry` and `onFailedAttempt` are told of a failed attempt (p-retry's names). */
export interface FailedAttempt {
  error: unknown;
  /** The attempt that just failed: 1 for the first. */
  attemptNumber: number;
  /** Attempts left after this one (Infinity without an `attempts` limit). */
  retriesLeft: number;
}

/** When and how often a failing message is tried again. */
export interface RetryPolicy {
  /** Most attempts in all, the first included. @default 5, or unlimited when `deadline` is set */
  attempts?: number;
  /** Give up this many ms after `deadlineFrom`: the message's shelf life. */
  deadline?: number;
  /** Where the deadline counts from. @default 'publish' */
  deadlineFrom?: 'publish' | 'first-failure';
  /** @default { type: 'exponential', initialDelay: 1000, factor: 2 } */
  backoff?: Backoff;
  /** Longest delay between attempts, in ms. @default 3_600_000 (1 hour) */
  maxDelay?: number;
  /** @default 'none' */
  jitter?: Jitter;
  /** Return false to stop retrying this error (it goes to the dead-letter queue as 'permanent'). */
  shouldRetry?: (attempt: FailedAttempt) => boolean | Promise<boolean>;
  /** Told about every failed attempt, before the kit retries or gives up. */
  onFailedAttempt?: (attempt: FailedAttempt & { delay: number | undefined }) => void | Promise<void>;
}

/** Attempts in all, the first included, of a policy that sets neither `attempts` nor `deadline`. */
export const DEFAULT_ATTEMPTS = 5;

export type Decision = { kind: 'retry'; delay: number } | { kind: 'dead-letter'; reason: DeadLetterReason };

const DEFAULT_BACKOFF: Backoff = { type: 'exponential', initialDelay: 1_000, factor: 2 };

/**
 * What to do after a failed attempt. `deadlineAt` is the epoch ms past which
 * no attempt may start. A retry that would start after it is moved to the
 * deadline itself: one last try at the end of the message's shelf life.
 */
export async function decide(
  policy: RetryPolicy,
  error: unknown,
  attemptNumber: number,
  deadlineAt: number | undefined,
  { now = Date.now(), quantise = false, random = Math.random }: DelayContext = {},
): Promise<Decision> {
  const attempts = policy.attempts ?? (policy.deadline === undefined ? DEFAULT_ATTEMPTS : Number.POSITIVE_INFINITY);
  const retriesLeft = Math.max(0, attempts - attemptNumber);
  const attempt: FailedAttempt = { error, attemptNumber, retriesLeft };

  let decision: Decision;
  if (error instanceof PermanentError) decision = { kind: 'dead-letter', reason: 'permanent' };
  else if (policy.shouldRetry && !(await policy.shouldRetry(attempt)))
    decision = { kind: 'dead-letter', reason: 'permanent' };
  else if (retriesLeft === 0) decision = { kind: 'dead-letter', reason: 'exhausted' };
  else if (deadlineAt !== undefined && now >= deadlineAt) decision = { kind: 'dead-letter', reason: 'deadline' };
  else {
    let delay = nextDelay(policy, attemptNumber, { quantise, random });
    if (deadlineAt !== undefined && now + delay > deadlineAt) delay = Math.max(0, deadlineAt - now);
    decision = { kind: 'retry', delay };
  }
  await policy.onFailedAttempt?.({ ...attempt, delay: decision.kind === 'retry' ? decision.delay : undefined });
  return decision;
}

/**
 * The epoch ms past which no attempt of this message may start, or undefined
 * without a deadline: `deadline` ms after the message was published, or
 * after its first failure (`deadlineFrom: 'first-failure'`).
 */
export function deadlineAt(policy: RetryPolicy, state: RetryState, now: number): number | undefined {
  if (policy.deadline === undefined) return undefined;
  const from = policy.deadlineFrom === 'first-failure' ? (state.firstFailure ?? now) : (state.publishedAt ?? now);
  return from + policy.deadline;
}

export interface DelayContext {
  now?: number;
  /** Round jittered and computed delays to a bounded set (for one-queue-per-delay topologies). */
  quantise?: boolean;
  /** A number in [0, 1), for jitter. */
  random?: () => number;
}

/**
 * The delay after failed attempt `attemptNumber`: the backoff, capped at
 * `maxDelay`, jittered. With `quantise`, jittered and computed (function)
 * delays are rounded to a bounded set so they cannot create an unbounded
 * number of delay queues; fixed formulas without jitter stay exact.
 */
export function nextDelay(
  policy: RetryPolicy,
  attemptNumber: number,
  { quantise = false, random = Math.random }: DelayContext = {},
): number {
  const backoff = policy.backoff ?? DEFAULT_BACKOFF;
  const capped = Math.min(baseDelay(backoff, attemptNumber), policy.maxDelay ?? 3_600_000);
  if (!Number.isFinite(capped) || capped < 0) {
    throw new RangeError(`Backoff gave ${capped} ms for attempt ${attemptNumber}: delays must be finite and >= 0`);
  }
  const jitter = policy.jitter ?? 'none';
  const delay = applyJitter(capped, jitter, random);
  const unpredictable = jitter !== 'none' || typeof backoff === 'function';
  return quantise && unpredictable ? quantiseDelay(delay) : Math.round(delay);
}
