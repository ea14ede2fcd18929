// The fix: the same messages through retry-kit's two delay topologies. Every
// delay queue holds one TTL only, so nothing waits behind a longer delay.
// Run: pnpm --filter retry-backoff backoff
import { connect, connectOrExit, type DelayOptions, type RabbitClient, silentLogger } from 'retry-kit';
import { roundTrip } from './delayed-round-trip.js';
import { DELAYS_S, type Row, table } from './scenario.js';

/** The binary ladder (radix 2), 13 levels of 10 ms: any delay up to 81.9 s. */
export const LADDER_LEVELS = 13;

export const TOPOLOGIES: Record<'queues' | 'ladder', DelayOptions> = {
  queues: { topology: 'queues', prefix: 'demo-queues' },
  ladder: { topology: 'ladder', prefix: 'demo-ladder', radix: 2, resolution: 10, levels: LADDER_LEVELS },
};

export interface FixedRun {
  rows: Row[];
  /** Delay queues the topology created for this work. */
  delayQueues: number;
}

export async function withKit(url: string | undefined, topology: 'queues' | 'ladder'): Promise<FixedRun> {
  const rabbit: RabbitClient = await connect({ url, logger: silentLogger, delays: TOPOLOGIES[topology] });
  const back = `fixed.back.${topology}`;
  await rabbit.declare({ queues: [{ name: back }] });
  await rabbit.declareDelays(back);
  const rows = await roundTrip(rabbit, back, (label, delay) => rabbit.sendToQueue(back, { label }, { delay }));
  // The ladder's queues are fixed; one-queue-per-delay creates them as needed.
  const delayQueues = rabbit.delays.queueCount;
  await rabbit.close();
  return { rows, delayQueues };
}

/** The seed projects' recipe: a delay queue per routing key per delay. */
export const seedRecipeQueues = (routingKeys: number) => routingKeys * DELAYS_S.length;

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = await connectOrExit({ hint: 'Start one with: pnpm broker' });
  await check.close();
  for (const topology of ['queues', 'ladder'] as const) {
    const { rows, delayQueues } = await withKit(process.env.AMQP_URL, topology);
    console.log(
      table(
        `retry-kit, ${topology === 'queues' ? 'one queue per delay' : 'binary ladder'} (${delayQueues} delay queues):`,
        rows,
      ),
    );
  }
  console.log(
    `The seed recipe (a delay queue per routing key per delay) needs ${seedRecipeQueues(3)} queues for 3 routing keys.`,
  );
}
