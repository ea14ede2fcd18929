import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { connect, silentLogger } from 'retry-kit';
import { runProgram } from 'test-broker';
import { tempDir, useTestVhost } from 'test-broker/vitest';
import { describe, expect, it } from 'vitest';
import { ordersTopology } from '../src/fan-out.js';
import { createOrder, startRelay } from '../src/outbox.js';
import { startSalesStandIn } from '../src/plumbing/sales-stand-in.js';
import { openStore, progressOf } from '../src/plumbing/store.js';

const broker = await useTestVhost('orders-crash');

describe('a sales consumer killed mid-work', () => {
  it('posts the sale again after a restart, and the sale is recorded exactly once', async () => {
    const dataDir = tempDir('orders-');
    const db = openStore(path.join(dataDir, 'orders.db'));
    const rabbit = await connect({ url: broker.amqpUrl, logger: silentLogger });
    await rabbit.declare(ordersTopology(['sales']));
    // Slow enough that the consumer is killed while its request is in flight.
    const sales = await startSalesStandIn({ delayMs: 1_000 });
    const env = { AMQP_URL: broker.amqpUrl, DATA_DIR: dataDir, SALES_URL: sales.url };
    const consumer = (name: string) =>
      runProgram(new URL('../src/plumbing/run-consumer.ts', import.meta.url), ['--department', name], env);

    const first = consumer('sales');
    await first.line('sales consumer ready');
    const requested = new Promise<void>((resolve) => {
      sales.onRequest = resolve;
    });
    const id = createOrder(db, { customer_name: 'Crash', product_ids: [1] });
    const relay = startRelay(db, rabbit, { pollMs: 50 });
    await requested;
    first.child.kill('SIGKILL');
    await first.exit();

    const second = consumer('sales');
    await second.line(`sales: order ${id} done`);
    second.child.kill('SIGINT');
    await second.exit();
    await relay.stop();
    await rabbit.close();
    await sales.close();

    expect(sales.requests).toBe(2);
    expect([...sales.sales.keys()]).toEqual([`order-${id}`]);
    expect(progressOf(db, id, 'sales')?.state).toBe('done');
  });
});

describe('a warehouse consumer killed mid-work', () => {
  it('leaves exactly one whole packing slip per order once restarted', async () => {
    const dataDir = tempDir('orders-');
    const db = openStore(path.join(dataDir, 'orders.db'));
    const rabbit = await connect({ url: broker.amqpUrl, logger: silentLogger });
    await rabbit.declare(ordersTopology(['warehouse']));
    const env = { AMQP_URL: broker.amqpUrl, DATA_DIR: dataDir };
    const consumer = () =>
      runProgram(new URL('../src/plumbing/run-consumer.ts', import.meta.url), ['--department', 'warehouse'], env);
    const ids = Array.from({ length: 60 }, (_, n) =>
      createOrder(db, { customer_name: `Slip ${n}`, product_ids: [n + 1, n + 2] }),
    );
    const relay = startRelay(db, rabbit, { pollMs: 50 });

    const first = consumer();
    // Killed with slips being written: ten done, others in hand.
    await first.line(`warehouse: order ${ids[9]} done`);
    first.child.kill('SIGKILL');
    await first.exit();
    const left = ids.filter((id) => progressOf(db, id, 'warehouse')?.state !== 'done');
    expect(left.length).toBeGreaterThan(0);

    const second = consumer();
    for (const id of left) await second.line(`warehouse: order ${id} done`);
    second.child.kill('SIGINT');
    await second.exit();
    await relay.stop();
    await rabbit.close();

    const slipDir = path.join(dataDir, 'slips');
    expect(readdirSync(slipDir).sort()).toEqual(ids.map((id) => `order-${id}.pdf`).sort());
    for (const id of ids) {
      const pdf = readFileSync(path.join(slipDir, `order-${id}.pdf`)).toString('latin1');
      expect(pdf.startsWith('%PDF-') && pdf.trimEnd().endsWith('%%EOF')).toBe(true);
    }
  });
});
