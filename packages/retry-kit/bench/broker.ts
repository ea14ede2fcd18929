import { type ScratchBroker, scratchBroker } from 'test-broker';

export type BenchBroker = ScratchBroker;

/** A broker for a benchmark run (the one `pnpm bench` hands down, or one started here) and a fresh vhost on it. */
export const benchBroker = (): Promise<BenchBroker> =>
  scratchBroker('bench', (line) => console.error(`[bench] ${line}`));

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[middle] ?? 0) : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** What one side's timed run gave: its rate, and this process's CPU time per message while it ran. */
export interface Measured {
  msgsPerS: number;
  cpuUsPerMsg: number;
}

/**
 * Times `run` (which handles `total` messages) by the clock and by this
 * process's CPU (user + system, from process.cpuUsage): when the broker is
 * CPU-bound on the same cores, the client's CPU is what its rate pays for.
 */
export async function measure(total: number, run: () => Promise<void>): Promise<Measured> {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await run();
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return { msgsPerS: total / seconds, cpuUsPerMsg: (cpu.user + cpu.system) / total };
}

/** Medians of each side's rounds, as one JSON line's figures: `<side>_msgs_per_s`, `<side>_cpu_us_per_msg`. */
export function figures(runs: Record<string, Measured[]>, sides: string[]): Record<string, number> {
  const result: Record<string, number> = {};
  for (const side of sides) {
    const measured = runs[side] ?? [];
    result[`${side}_msgs_per_s`] = Math.round(median(measured.map((m) => m.msgsPerS)));
    result[`${side}_cpu_us_per_msg`] = Number(median(measured.map((m) => m.cpuUsPerMsg)).toFixed(1));
  }
  return result;
}

/** Kit over raw, for rates and for CPU per message, from {@link figures}. */
export function ratios(figured: Record<string, number>): { ratio: number; cpu_ratio: number } {
  const ratio = (figured.kit_msgs_per_s ?? 0) / (figured.raw_msgs_per_s ?? 1);
  const cpuRatio = (figured.kit_cpu_us_per_msg ?? 0) / (figured.raw_cpu_us_per_msg ?? 1);
  return { ratio: Number(ratio.toFixed(3)), cpu_ratio: Number(cpuRatio.toFixed(3)) };
}

/** Runs one benchmark on its own broker when its file is run directly (not from index.ts). */
export async function runIfMain(url: string, bench: (broker: BenchBroker) => Promise<void>): Promise<void> {
  if (url !== `file://${process.argv[1]}`) return;
  const broker = await benchBroker();
  try {
    await bench(broker);
  } finally {
    await broker.done();
  }
}
