import type { PublishOptions, RabbitClient } from 'retry-kit';
import { DELAYS_S, type Row, SCALE } from './scenario.js';

/**
 * Sends the scenario's messages, each to come back to `back` after its delay
 * (`send` decides how), and resolves with when each one did.
 */
export async function roundTrip(
  rabbit: RabbitClient,
  back: string,
  send: (label: string, delayMs: number, options: PublishOptions) => Promise<void>,
): Promise<Row[]> {
  const started = Date.now();
  const rows = new Map<string, Row>();
  let resolveAll!: () => void;
  const all = new Promise<void>((resolve) => {
    resolveAll = resolve;
  });
  const consumer = await rabbit.consume<{ label: string }>(back, ({ label }) => {
    const row = rows.get(label);
    if (row) row.arrived = Date.now() - started;
    if ([...rows.values()].every((r) => r.arrived >= 0)) resolveAll();
  });
  for (const seconds of DELAYS_S) {
    const label = `${seconds} s`;
    const delayMs = Math.round(seconds * 1000 * SCALE);
    rows.set(label, { label, due: Date.now() - started + delayMs, arrived: -1 });
    await send(label, delayMs, {});
  }
  await all;
  await consumer.cancel();
  return [...rows.values()];
}
