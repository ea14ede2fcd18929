import { setTimeout as sleep } from 'node:timers/promises';
import type { NewOrder } from './order-schema.js';
import type { OrderView } from './store.js';

const CUSTOMERS = ['Ada', 'Grace', 'Linus', 'Margaret', 'Alan', 'Barbara', 'Dennis', 'Edsger', 'Frances', 'Ken'];

/** A random order: one of ten customers, one to four of fifty products. */
export function randomOrder(random = Math.random): NewOrder {
  const pick = (n: number) => 1 + Math.floor(random() * n);
  return {
    customer_name: CUSTOMERS[pick(CUSTOMERS.length) - 1]!,
    product_ids: Array.from({ length: pick(4) }, () => pick(50)),
  };
}

export interface Placed {
  /** Ids of the orders the API accepted (201). */
  ids: number[];
  /** How long each POST took, ms. */
  latencies: number[];
  /** Answers other than 201, by status. */
  refused: Map<number, number>;
  elapsedMs: number;
}

/** The API could not be reached at all: not a refusal, a wrong URL or a stopped API. */
export class UnreachableError extends Error {}

/**
 * POSTs `count` random orders to `apiUrl` at `rate` per second, open loop
 * (each on schedule, not after the previous answer), at most `inFlight` at a
 * time. Calls `onPlaced` after each answer.
 */
export async function placeOrders(
  apiUrl: string,
  {
    count,
    rate,
    inFlight = 256,
    onPlaced = () => {},
  }: {
    count: number;
    rate: number;
    inFlight?: number;
    onPlaced?: () => void;
  },
): Promise<Placed> {
  const placed: Placed = { ids: [], latencies: [], refused: new Map(), elapsedMs: 0 };
  const pending = new Set<Promise<void>>();
  let unreachable: Error | undefined;
  const post = async () => {
    const started = performance.now();
    try {
      const response = await fetch(new URL('/orders', apiUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(randomOrder()),
      });
      const body = (await response.json()) as { id: number };
      placed.latencies.push(performance.now() - started);
      if (response.status === 201) placed.ids.push(body.id);
      else placed.refused.set(response.status, (placed.refused.get(response.status) ?? 0) + 1);
      onPlaced();
    } catch (error) {
      unreachable ??= new UnreachableError(`${apiUrl}: ${causeOf(error)}`);
    }
  };
  const start = performance.now();
  for (let n = 0; n < count && !unreachable; n++) {
    const due = start + (n * 1_000) / rate - performance.now();
    if (due > 0) await sleep(due);
    while (pending.size >= inFlight) await Promise.race(pending);
    const request = post().finally(() => pending.delete(request));
    pending.add(request);
  }
  await Promise.all(pending);
  if (unreachable) throw unreachable;
  placed.elapsedMs = performance.now() - start;
  return placed;
}

/**
 * Asks the API for each order until all are done or failed, or `timeoutMs`
 * passes. Returns the orders still pending (empty when all settled).
 */
export async function waitUntilSettled(
  apiUrl: string,
  ids: number[],
  { timeoutMs, onSettled = () => {} }: { timeoutMs: number; onSettled?: (order: OrderView) => void },
): Promise<number[]> {
  let waiting = [...ids];
  const giveUpAt = performance.now() + timeoutMs;
  while (waiting.length > 0 && performance.now() < giveUpAt) {
    const still: number[] = [];
    // A few requests at a time: the API is serving real customers too.
    for (let from = 0; from < waiting.length; from += 16) {
      const batch = waiting.slice(from, from + 16);
      const orders = await Promise.all(
        batch.map(async (id) => (await (await fetch(new URL(`/orders/${id}`, apiUrl))).json()) as OrderView),
      );
      for (const order of orders) {
        if (order.status === 'pending') still.push(order.id);
        else onSettled(order);
      }
    }
    waiting = still;
    // Polling, not synchronisation: the orders settle in other processes.
    if (waiting.length > 0) await sleep(250);
  }
  return waiting;
}

/** The p-th percentile (0-100) of `values`, nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === 'ECONNREFUSED') return 'connection refused (is the API running?)';
  return cause?.message ?? (error as Error).message;
}
