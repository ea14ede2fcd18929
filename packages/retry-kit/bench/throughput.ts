// pnpm bench: the kit against hand-written amqplib, same broker, same run,
// alternating rounds so drift hits both alike. One JSON line per figure.
import { type BenchBroker, figures, type Measured, ratios, runIfMain } from './broker.js';
import { kitConsume, kitPublish } from './kit.js';
import { deleteQueue, fill, rawConsume, rawPublish } from './raw.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 30_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const WINDOW = 1_000;

let url = '';
let queueNumber = 0;
const freshQueue = () => `bench-${++queueNumber}`;

/**
 * Medians over alternating rounds of the kit, the same work in raw amqplib,
 * and any extra variants: each side's rate and this process's CPU per message.
 */
async function compare(
  name: string,
  kit: () => Promise<Measured>,
  raw: () => Promise<Measured>,
  extra: object,
  variants: Record<string, () => Promise<Measured>> = {},
) {
  const runs: [string, () => Promise<Measured>][] = [['raw', raw], ['kit', kit], ...Object.entries(variants)];
  const measured: Record<string, Measured[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    // Reverse the order every other round, so what runs first (or right
    // after a big queue was deleted) favours neither side.
    const ordered = round % 2 === 0 ? runs : [...runs].reverse();
    for (const [name, run] of ordered) {
      const result = await run();
      measured[name] = [...(measured[name] ?? []), result];
    }
  }
  const figured = figures(measured, ['kit', 'raw', ...Object.keys(variants)]);
  console.log(
    JSON.stringify({ bench: name, ...extra, messages: MESSAGES, rounds: ROUNDS, ...figured, ...ratios(figured) }),
  );
}

async function publishRound(publish: typeof kitPublish): Promise<Measured> {
  const queue = freshQueue();
  const measured = await publish(url, queue, MESSAGES, WINDOW);
  await deleteQueue(url, queue);
  return measured;
}

async function consumeRound(consume: typeof kitConsume, prefetch: number): Promise<Measured> {
  const queue = freshQueue();
  await fill(url, queue, MESSAGES);
  const measured = await consume(url, queue, MESSAGES, prefetch);
  await deleteQueue(url, queue);
  return measured;
}

/** Publish and consume throughput, the kit against hand-written amqplib. */
export async function throughput(broker: BenchBroker): Promise<void> {
  url = broker.url;
  // raw publishes the same message as the kit (id, timestamp, mandatory);
  // raw_bare shows what those cost, against the barest possible publish.
  await compare(
    'publish-confirmed',
    () => publishRound(kitPublish),
    () => publishRound(rawPublish),
    { window: WINDOW },
    { raw_bare: () => publishRound((url, queue, total, window) => rawPublish(url, queue, total, window, false)) },
  );
  for (const prefetch of [1, 100]) {
    await compare(
      'consume-ack',
      () => consumeRound(kitConsume, prefetch),
      () => consumeRound(rawConsume, prefetch),
      { prefetch },
    );
  }
}

await runIfMain(import.meta.url, throughput);
