import { median } from './broker.js';

/** Percentiles of how late messages arrived, in ms. */
export function summarise(lateness: number[]) {
  const sorted = [...lateness].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
  return {
    p50_ms: Math.round(median(sorted)),
    p95_ms: Math.round(at(95)),
    p99_ms: Math.round(at(99)),
    max_ms: Math.round(sorted.at(-1) ?? Number.NaN),
  };
}

/** A delay in [from, to) ms, spread evenly by message number. */
export function spreadDelay(n: number, from: number, to: number): number {
  return from + ((n * 7919) % (to - from));
}
