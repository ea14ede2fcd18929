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
