import { randomBytes } from 'node:crypto';
import { type LocatedBroker, locateBroker, ManagementClient, withVhost } from 'test-broker';

export interface BenchBroker {
  url: string;
  vhost: string;
  handle: LocatedBroker['handle'];
  done: () => Promise<void>;
}

/** A broker for a benchmark run (the one `pnpm bench` hands down, or one started here) and a fresh vhost on it. */
export async function benchBroker(): Promise<BenchBroker> {
  const broker: LocatedBroker = await locateBroker((line) => console.error(`[bench] ${line}`));
  const { handle } = broker;
  const management = new ManagementClient(handle.managementUrl, handle.username, handle.password);
  const vhost = `bench-${randomBytes(4).toString('hex')}`;
  await management.createVhost(vhost, handle.username);
  return {
    url: withVhost(handle.amqpUrl, vhost),
    vhost,
    handle,
    done: async () => {
      await management.deleteVhost(vhost);
      await broker.stop();
    },
  };
}

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
