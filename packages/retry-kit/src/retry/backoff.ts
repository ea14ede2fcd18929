/** How the delay grows with each failed attempt. */
export type Backoff =
  | { type: 'exponential'; initialDelay: number; factor?: number }
  | { type: 'linear'; initialDelay: number; increment?: number }
  | { type: 'fibonacci'; initialDelay: number }
  | { type: 'logarithmic'; initialDelay: number }
  | { type: 'fixed'; delays: readonly number[] }
  | ((attemptNumber: number) => number);

/**
 * Jitter spreads retries so that failures at the same moment do not retry at
 * the same moment. `full`: anywhere in [0, delay]. `equal`: in [delay/2, delay].
 */
export type Jitter = 'none' | 'full' | 'equal';

/**
 * The delay before retrying after failed attempt `attemptNumber` (1 = the
 * first attempt failed), before any cap or jitter.
 *
 * - exponential: initialDelay × factor^(n-1)  (factor 2: 1 s, 2 s, 4 s, 8 s ...)
 * - linear: initialDelay + increment × (n-1)  (increment defaults to initialDelay)
 * - fibonacci: initialDelay × fib(n)  (1, 1, 2, 3, 5, 8 ...)
 * - logarithmic: initialDelay × log2(n + 1)  (1, 1.58, 2, 2.32 ...: grows ever slower)
 * - fixed: delays[n-1], the last one repeating
 */
export function baseDelay(backoff: Backoff, attemptNumber: number): number {
  const n = Math.max(1, attemptNumber);
  if (typeof backoff === 'function') return backoff(n);
  switch (backoff.type) {
    case 'exponential':
      return backoff.initialDelay * (backoff.factor ?? 2) ** (n - 1);
    case 'linear':
      return backoff.initialDelay + (backoff.increment ?? backoff.initialDelay) * (n - 1);
    case 'fibonacci':
      return backoff.initialDelay * fibonacci(n);
    case 'logarithmic':
      return backoff.initialDelay * Math.log2(n + 1);
    case 'fixed': {
      const { delays } = backoff;
      if (delays.length === 0) throw new RangeError('A fixed backoff needs at least one delay');
      return delays[Math.min(n, delays.length) - 1] ?? 0;
    }
  }
}

function fibonacci(n: number): number {
  let [previous, current] = [0, 1];
  for (let i = 1; i < n; i++) [previous, current] = [current, previous + current];
  return current;
}

/** Applies jitter to `delay`; `random` returns a number in [0, 1). */
export function applyJitter(delay: number, jitter: Jitter, random: () => number = Math.random): number {
  switch (jitter) {
    case 'none':
      return delay;
    case 'full':
      return random() * delay;
    case 'equal':
      return delay / 2 + (random() * delay) / 2;
  }
}

/** Steps per doubling of the delay that {@link quantiseDelay} keeps. */
export const STEPS_PER_DOUBLING = 4;

/**
 * Rounds a delay to the nearest of a fixed geometric set (4 steps per
 * doubling: 1, 1.19, 1.41, 1.68, 2 ... × 2^k ms, within ±9 %), so random
 * delays map to a bounded number of delay queues: at most 4 per doubling
 * between the smallest and largest delay.
 */
export function quantiseDelay(delay: number): number {
  if (delay < 1) return 0;
  const step = Math.round(Math.log2(delay) * STEPS_PER_DOUBLING);
  return Math.round(2 ** (step / STEPS_PER_DOUBLING));
}
