// pnpm --filter orders-store bench: the whole shop as `start` runs it at 100
// to 800 orders/s (sweep.ts); then the roles apart: how fast the API answers
// while the departments are idle and while they are busy, against publishing
// inside the request, and how many orders/s the shop finishes end to end.
// Prints JSON lines.
import { setTimeout as sleep } from 'node:timers/promises';
import { scratchBroker } from 'test-broker';
import { startSalesStandIn } from '../src/plumbing/sales-stand-in.js';
import { percentile, placeOrders } from '../src/plumbing/traffic.js';
import { startInlineApi, startShopApart } from './shop.js';
import { sweep } from './sweep.js';

const RATE = 100; // orders/s per API while latency is measured
const MEASURED = 1_000;
const BACKLOG = 6_000;
const END_TO_END = 3_000;

const broker = await scratchBroker('orders-bench', (line) => console.error(`[bench] ${line}`));
try {
  await sweep(broker.url);
} catch (error) {
  await broker.done();
  throw error;
}
const sales = await startSalesStandIn();
const shop = await startShopApart(broker.url, sales.url);
const inline = await startInlineApi(broker.url);

const ms = (value: number) => Math.round(value * 10) / 10;
/** Measurement polling (the orders finish in other processes), every 100 ms. */
async function untilFinished() {
  while (shop.unfinished() > 0) await sleep(100);
}

/** Both APIs at RATE orders/s at the same time, so both see the same load. */
async function postLatency(consumers: 'idle' | 'busy') {
  const backlogBefore = shop.unfinished();
  const [outbox, inlined] = await Promise.all([
    placeOrders(shop.apiUrl, { count: MEASURED, rate: RATE }),
    placeOrders(inline.apiUrl, { count: MEASURED, rate: RATE }),
  ]);
  console.log(
    JSON.stringify({
      bench: 'orders-post-latency',
      consumers,
      rate_per_s: RATE,
      orders: MEASURED,
      unfinished_orders_before: backlogBefore,
      unfinished_orders_after: shop.unfinished(),
      outbox_p50_ms: ms(percentile(outbox.latencies, 50)),
      outbox_p99_ms: ms(percentile(outbox.latencies, 99)),
      inline_publish_p50_ms: ms(percentile(inlined.latencies, 50)),
      inline_publish_p99_ms: ms(percentile(inlined.latencies, 99)),
    }),
  );
}

try {
  // Warm-up: JIT, connections, SQLite pages.
  await placeOrders(shop.apiUrl, { count: 200, rate: 200 });
  await placeOrders(inline.apiUrl, { count: 200, rate: 200 });
  await untilFinished();

  await postLatency('idle');
  await untilFinished();

  // Busy: a slow sales system (20 ms a call) and a backlog placed as fast as the API takes it.
  sales.behave({ delayMs: 20 });
  await placeOrders(shop.apiUrl, { count: BACKLOG, rate: 5_000, inFlight: 64 });
  await postLatency('busy');
  sales.behave({});
  await untilFinished();

  const started = performance.now();
  const placed = await placeOrders(shop.apiUrl, { count: END_TO_END, rate: 5_000, inFlight: 64 });
  await untilFinished();
  const seconds = (performance.now() - started) / 1_000;
  console.log(
    JSON.stringify({
      bench: 'orders-end-to-end',
      orders: END_TO_END,
      placed_per_s: Math.round(END_TO_END / (placed.elapsedMs / 1_000)),
      finished_per_s: Math.round(END_TO_END / seconds),
      seconds: ms(seconds),
    }),
  );
} finally {
  await inline.stop();
  await shop.stop();
  await sales.close();
  await broker.done();
}
