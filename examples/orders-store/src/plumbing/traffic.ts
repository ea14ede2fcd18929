import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
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
  /** When each of those was sent (performance.now()), in the same order. */
  sentAt: number[];
  /** How long each POST took, ms. */
  latencies: number[];
  /** Answers other than 201, by status. */
  refused: Map<number, number>;
  elapsedMs: number;
  /** How late the last order went out, ms: 0 unless this process fell behind the schedule (see BEHIND_MS). */
  behindMs: number;
  /** The rate the orders actually went out at, per second. */
  offeredPerS: number;
}

/** The API could not be reached at all: not a refusal, a wrong URL or a stopped API. */
export class UnreachableError extends Error {}

/**
 * Keep-alive connections to the API, reused for every request: a new
 * connection per order (fetch's default under load) costs the generator more
 * CPU than the shop spends on the order.
 */
export function apiClient(apiUrl: string, connections = 32): Pool {
  return new Pool(new URL(apiUrl).origin, { connections, pipelining: 1 });
}

/**
 * The schedule is absolute, so a timer's jitter does not add up; lateness that
 * does means this process (or machine) cannot send at the rate asked for.
 */
const BEHIND_MS = 100;

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
  const placed: Placed = {
    ids: [],
    sentAt: [],
    latencies: [],
    refused: new Map(),
    elapsedMs: 0,
    behindMs: 0,
    offeredPerS: rate,
  };
  const pool = apiClient(apiUrl);
  const pending = new Set<Promise<void>>();
  let unreachable: Error | undefined;
  const post = async () => {
    const started = performance.now();
    try {
      const response = await pool.request({
        path: '/orders',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(randomOrder()),
      });
      const body = (await response.body.json()) as { id: number };
      placed.latencies.push(performance.now() - started);
      if (response.statusCode === 201) {
        placed.ids.push(body.id);
        placed.sentAt.push(started);
      } else placed.refused.set(response.statusCode, (placed.refused.get(response.statusCode) ?? 0) + 1);
      onPlaced();
    } catch (error) {
      unreachable ??= new UnreachableError(`${apiUrl}: ${causeOf(error)}`);
    }
  };
  const start = performance.now();
  let lastSent = start;
  try {
    for (let n = 0; n < count && !unreachable; n++) {
      const due = start + (n * 1_000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await sleep(wait);
      while (pending.size >= inFlight) await Promise.race(pending);
      lastSent = performance.now();
      const late = lastSent - due;
      placed.behindMs = late > BEHIND_MS ? late : 0;
      const request = post().finally(() => pending.delete(request));
      pending.add(request);
    }
    await Promise.all(pending);
  } finally {
    await pool.close();
  }
  if (unreachable) throw unreachable;
  placed.elapsedMs = performance.now() - start;
  if (placed.behindMs > 0) placed.offeredPerS = ((count - 1) * 1_000) / (lastSent - start);
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
  const pool = apiClient(apiUrl, 16);
  const giveUpAt = performance.now() + timeoutMs;
  while (waiting.length > 0 && performance.now() < giveUpAt) {
    const still: number[] = [];
    // A few requests at a time: the API is serving real customers too.
    for (let from = 0; from < waiting.length; from += 16) {
      const batch = waiting.slice(from, from + 16);
      const orders = await Promise.all(
        batch.map(
          async (id) => (await (await pool.request({ path: `/orders/${id}`, method: 'GET' })).body.json()) as OrderView,
        ),
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
  await pool.close();
  return waiting;
}

/** The p-th percentile (0-100) of `values`, nearest rank. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function causeOf(error: unknown): string {
  // undici's own errors carry the code; fetch's wrap them in a cause.
  const { code, message, cause } = error as { code?: string; message?: string; cause?: unknown };
  if (code === 'ECONNREFUSED') return 'connection refused (is the API running?)';
  return cause ? causeOf(cause) : (message ?? String(error));
}
