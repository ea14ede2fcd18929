// The whole shop as a user starts it (`start`: the API and relay, the
// departments and the stand-in sales system as its child processes), with
// orders offered at 100, 200, 400 and 800 per second: one JSON line per rate.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import amqplib from 'amqplib';
import getPort from 'get-port';
import { runProgram } from 'test-broker';
import { DEPARTMENTS } from '../src/fan-out.js';
import { STATUS_EXCHANGE, type StatusEvent } from '../src/live-status.js';
import { percentile, placeOrders } from '../src/plumbing/traffic.js';
import { familyCpuSeconds } from './process-cpu.js';

// SWEEP_RATES=200,400 for fewer.
const RATES = (process.env.SWEEP_RATES ?? '100,200,400,800').split(',').map(Number);
const SECONDS_PER_RATE = 10;
const WARM_UP = { count: 200, rate: 100 };
const SETTLE_TIMEOUT_MS = 180_000;

const ms = (value: number) => Math.round(value * 10) / 10;

/**
 * When each order is done in all three departments, from the status events
 * the departments announce: the end of an order's trip, seen from outside.
 */
async function watchOrdersFinish(amqpUrl: string) {
  const connection = await amqplib.connect(amqpUrl);
  const channel = await connection.createChannel();
  const { queue } = await channel.assertQueue('', { exclusive: true });
  await channel.bindQueue(queue, STATUS_EXCHANGE, 'order.*');
  const doneIn = new Map<number, Set<string>>();
  const finishedAt = new Map<number, number>();
  let failed = 0;
  let waiting: { ids: Set<number>; resolve: () => void } | undefined;
  await channel.consume(
    queue,
    (message) => {
      if (!message) return;
      const event = JSON.parse(message.content.toString()) as StatusEvent;
      if (event.state === 'failed') failed++;
      if (event.state !== 'done') return;
      const departments = doneIn.get(event.orderId) ?? new Set();
      doneIn.set(event.orderId, departments.add(event.department));
      if (departments.size === DEPARTMENTS.length && !finishedAt.has(event.orderId)) {
        finishedAt.set(event.orderId, performance.now());
        waiting?.ids.delete(event.orderId);
        if (waiting?.ids.size === 0) waiting.resolve();
      }
    },
    { noAck: true },
  );
  return {
    finishedAt,
    failed: () => failed,
    /** Resolves once every order of `ids` is done everywhere, or after `timeoutMs`. */
    allDone(ids: number[], timeoutMs: number): Promise<void> {
      const left = new Set(ids.filter((id) => !finishedAt.has(id)));
      if (left.size === 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        waiting = {
          ids: left,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
      });
    },
    close: () => connection.close(),
  };
}

/**
 * One rate on a new shop (its own store), warmed up first. The shop before it
 * finished every order, so the queues it leaves are empty.
 */
async function measure(amqpUrl: string, rate: number) {
  const port = await getPort();
  const shop = runProgram(new URL('../src/plumbing/start.ts', import.meta.url), [], {
    AMQP_URL: amqpUrl,
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'orders-sweep-')),
    PORT: String(port),
  });
  const apiUrl = `http://127.0.0.1:${port}`;
  try {
    await shop.line(`open ${apiUrl}/`);
    const orders = await watchOrdersFinish(amqpUrl);
    try {
      // JIT, connections and SQLite's pages warm, as in a shop that has been running a while.
      const warm = await placeOrders(apiUrl, WARM_UP);
      await orders.allDone(warm.ids, SETTLE_TIMEOUT_MS);

      const cpuBefore = familyCpuSeconds(shop.child.pid!);
      const count = rate * SECONDS_PER_RATE;
      const placed = await placeOrders(apiUrl, { count, rate });
      await orders.allDone(placed.ids, SETTLE_TIMEOUT_MS);
      const cpu = familyCpuSeconds(shop.child.pid!) - cpuBefore;

      const endToEnd = placed.ids.flatMap((id, n) => {
        const finished = orders.finishedAt.get(id);
        return finished === undefined ? [] : [finished - placed.sentAt[n]!];
      });
      return {
        bench: 'orders-sweep',
        offered_per_s: rate,
        orders: count,
        achieved_per_s: Math.round((count * 1_000) / placed.elapsedMs),
        post_p50_ms: ms(percentile(placed.latencies, 50)),
        post_p99_ms: ms(percentile(placed.latencies, 99)),
        post_max_ms: ms(Math.max(...placed.latencies)),
        end_to_end_p99_ms: ms(percentile(endToEnd, 99)),
        done: endToEnd.length,
        failed: orders.failed(),
        shop_cpu_ms_per_order: ms((cpu * 1_000) / count),
      };
    } finally {
      await orders.close();
    }
  } finally {
    shop.child.kill('SIGINT');
    await shop.exit();
  }
}

/** The sweep, printing a JSON line per rate as it is measured. */
export async function sweep(amqpUrl: string): Promise<void> {
  for (const rate of RATES) console.log(JSON.stringify(await measure(amqpUrl, rate)));
}
