// pnpm bench: the kit against hand-written amqplib, same broker, same run,
// alternating rounds so drift hits both alike. One JSON line per figure.
import { type BenchBroker, median, runIfMain } from './broker.js';
import { kitConsume, kitPublish } from './kit.js';
import { deleteQueue, fill, rawConsume, rawPublish } from './raw.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 30_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 6);
const WINDOW = 1_000;

let url = '';
let queueNumber = 0;
const freshQueue = () => `bench-${++queueNumber}`;

/** Medians over alternating rounds of the kit, the same work in raw amqplib, and any extra variants. */
async function compare(
  name: string,
  kit: () => Promise<number>,
  raw: () => Promise<number>,
  extra: object,
  variants: Record<string, () => Promise<number>> = {},
) {
  const runs: [string, () => Promise<number>][] = [['raw', raw], ['kit', kit], ...Object.entries(variants)];
  const rates: Record<string, number[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    // Reverse the order every other round, so what runs first (or right
    // after a big queue was deleted) favours neither side.
    const ordered = round % 2 === 0 ? runs : [...runs].reverse();
    for (const [name, run] of ordered) {
      const rate = await run();
      rates[name] = [...(rates[name] ?? []), rate];
    }
  }
  const kitMedian = median(rates.kit ?? []);
  const rawMedian = median(rates.raw ?? []);
  const variantFigures = Object.fromEntries(
    Object.keys(variants).map((variant) => [`${variant}_msgs_per_s`, Math.round(median(rates[variant] ?? []))]),
  );
  console.log(
    JSON.stringify({
      bench: name,
      ...extra,
      messages: MESSAGES,
      rounds: ROUNDS,
      kit_msgs_per_s: Math.round(kitMedian),
      raw_msgs_per_s: Math.round(rawMedian),
      ratio: Number((kitMedian / rawMedian).toFixed(3)),
      ...variantFigures,
    }),
  );
}

async function publishRound(publish: typeof kitPublish): Promise<number> {
  const queue = freshQueue();
  const rate = await publish(url, queue, MESSAGES, WINDOW);
  await deleteQueue(url, queue);
  return rate;
}

async function consumeRound(consume: typeof kitConsume, prefetch: number): Promise<number> {
  const queue = freshQueue();
  await fill(url, queue, MESSAGES);
  const rate = await consume(url, queue, MESSAGES, prefetch);
  await deleteQueue(url, queue);
  return rate;
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
