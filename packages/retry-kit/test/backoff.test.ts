import { describe, expect, it } from 'vitest';
import { PermanentError } from '../src/index.js';
import { applyJitter, baseDelay, quantiseDelay, STEPS_PER_DOUBLING } from '../src/retry/backoff.js';
import { decide, nextDelay } from '../src/retry/policy.js';

const first = (n: number, f: (attempt: number) => number) => Array.from({ length: n }, (_, i) => f(i + 1));

describe('backoff formulas', () => {
  it('exponential multiplies by the factor each attempt', () => {
    expect(first(5, (n) => baseDelay({ type: 'exponential', initialDelay: 1000 }, n))).toEqual([
      1000, 2000, 4000, 8000, 16000,
    ]);
    expect(first(3, (n) => baseDelay({ type: 'exponential', initialDelay: 100, factor: 3 }, n))).toEqual([
      100, 300, 900,
    ]);
  });

  it('linear adds the increment (by default the initial delay) each attempt', () => {
    expect(first(4, (n) => baseDelay({ type: 'linear', initialDelay: 500 }, n))).toEqual([500, 1000, 1500, 2000]);
    expect(first(3, (n) => baseDelay({ type: 'linear', initialDelay: 500, increment: 100 }, n))).toEqual([
      500, 600, 700,
    ]);
  });

  it('fibonacci follows 1, 1, 2, 3, 5, 8', () => {
    expect(first(6, (n) => baseDelay({ type: 'fibonacci', initialDelay: 1000 }, n))).toEqual([
      1000, 1000, 2000, 3000, 5000, 8000,
    ]);
  });

  it('logarithmic grows ever slower: initialDelay × log2(n + 1)', () => {
    const delays = first(7, (n) => baseDelay({ type: 'logarithmic', initialDelay: 1000 }, n));
    expect(delays.map(Math.round)).toEqual([1000, 1585, 2000, 2322, 2585, 2807, 3000]);
  });

  it('a fixed list is followed, its last delay repeating', () => {
    expect(first(5, (n) => baseDelay({ type: 'fixed', delays: [10, 20, 30] }, n))).toEqual([10, 20, 30, 30, 30]);
  });

  it('a function gets the attempt number', () => {
    expect(first(3, (n) => baseDelay((attempt) => attempt * 7, n))).toEqual([7, 14, 21]);
  });
});

describe('cap and jitter', () => {
  it('maxDelay caps the delay', () => {
    const policy = { backoff: { type: 'exponential' as const, initialDelay: 1000 }, maxDelay: 5000 };
    expect(first(5, (n) => nextDelay(policy, n))).toEqual([1000, 2000, 4000, 5000, 5000]);
  });

  it('full jitter spreads over [0, delay], equal jitter over [delay/2, delay]', () => {
    expect(applyJitter(1000, 'full', () => 0)).toBe(0);
    expect(applyJitter(1000, 'full', () => 0.999)).toBeCloseTo(999);
    expect(applyJitter(1000, 'equal', () => 0)).toBe(500);
    expect(applyJitter(1000, 'equal', () => 0.5)).toBe(750);
    expect(applyJitter(1000, 'none', () => 0.5)).toBe(1000);
  });

  it('quantising keeps delays within 10 % of what was asked', () => {
    for (const delay of [1, 7, 99, 1000, 1234, 65_000, 3_600_000]) {
      expect(Math.abs(quantiseDelay(delay) - delay) / delay).toBeLessThan(0.1);
    }
  });

  it('with jitter on, 10,000 random delays fall into at most 4 queues per doubling', () => {
    const policy = {
      backoff: { type: 'exponential' as const, initialDelay: 1000 },
      maxDelay: 3_600_000,
      jitter: 'full' as const,
    };
    const distinct = new Set<number>();
    for (let i = 0; i < 10_000; i++) distinct.add(nextDelay(policy, (i % 15) + 1, { quantise: true }));
    // From 1 ms to 1 hour is under 22 doublings.
    expect(distinct.size).toBeLessThanOrEqual(22 * STEPS_PER_DOUBLING + 1);
    expect(distinct.size).toBeGreaterThan(10);
  });

  it('without jitter, delays stay exact even when quantising', () => {
    expect(nextDelay({ backoff: { type: 'fixed', delays: [1000] } }, 1, { quantise: true })).toBe(1000);
  });
});

describe('deciding after a failure', () => {
  const policy = { attempts: 3, backoff: { type: 'fixed' as const, delays: [100] } };

  it('retries while attempts are left, then dead-letters as exhausted', async () => {
    expect(await decide(policy, new Error('x'), 1, undefined)).toEqual({ kind: 'retry', delay: 100 });
    expect(await decide(policy, new Error('x'), 2, undefined)).toEqual({ kind: 'retry', delay: 100 });
    expect(await decide(policy, new Error('x'), 3, undefined)).toEqual({ kind: 'dead-letter', reason: 'exhausted' });
  });

  it('dead-letters a PermanentError at once', async () => {
    expect(await decide(policy, new PermanentError('no'), 1, undefined)).toEqual({
      kind: 'dead-letter',
      reason: 'permanent',
    });
  });

  it('moves the last retry to the deadline, and dead-letters once it has passed', async () => {
    const noLimit = { deadline: 1_000, backoff: { type: 'fixed' as const, delays: [400] } };
    expect(await decide(noLimit, new Error('x'), 1, 1_000, { now: 0 })).toEqual({ kind: 'retry', delay: 400 });
    expect(await decide(noLimit, new Error('x'), 5, 1_000, { now: 800 })).toEqual({ kind: 'retry', delay: 200 });
    expect(await decide(noLimit, new Error('x'), 6, 1_000, { now: 1_000 })).toEqual({
      kind: 'dead-letter',
      reason: 'deadline',
    });
  });

  it('with a deadline and no attempts limit, never gives up for lack of attempts', async () => {
    const week = { deadline: 7 * 24 * 3600_000 };
    expect(await decide(week, new Error('x'), 1_000, 7 * 24 * 3600_000, { now: 0 })).toMatchObject({ kind: 'retry' });
  });
});
