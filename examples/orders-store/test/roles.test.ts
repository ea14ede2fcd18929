import getPort from 'get-port';
import { type Program, runProgram } from 'test-broker';
import { tempDir, useTestVhost } from 'test-broker/vitest';
import { describe, expect, it } from 'vitest';
import { DEPARTMENTS } from '../src/fan-out.js';

const broker = await useTestVhost('orders-roles');
const script = (name: string) => new URL(`../src/plumbing/${name}.ts`, import.meta.url);

describe('the roles run as separate programs', () => {
  it('api, relay, sales system and three consumers, sharing one store: an order reaches done', async () => {
    const [apiPort, salesPort] = [await getPort(), await getPort()];
    const env = {
      AMQP_URL: broker.amqpUrl,
      DATA_DIR: tempDir('orders-roles-'),
      PORT: String(apiPort),
      SALES_PORT: String(salesPort),
      SALES_URL: `http://127.0.0.1:${salesPort}/sales`,
    };
    const programs: Program[] = [];
    const run = (name: string, args: string[], ready: string) => {
      const program = runProgram(script(name), args, env);
      programs.push(program);
      return program.line(ready).then(() => program);
    };
    await run('run-sales-system', ['--fail-first', '1'], 'listening on');
    const consumers = await Promise.all(
      DEPARTMENTS.map((department) => run('run-consumer', ['--department', department], 'consumer ready')),
    );
    await run('run-relay', [], 'relay publishing');
    await run('run-api', [], 'API listening');

    const placed = await fetch(`http://127.0.0.1:${apiPort}/orders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ customer_name: 'Apart', product_ids: [4, 2] }),
    });
    expect(placed.status).toBe(201);
    const { id } = (await placed.json()) as { id: number };
    for (const consumer of consumers) await consumer.line(`order ${id} done`);
    expect(consumers[0]!.output.some((line) => line.includes(`sales: order ${id} retrying after attempt 1`))).toBe(
      true,
    );
    const order = await (await fetch(`http://127.0.0.1:${apiPort}/orders/${id}`)).json();
    expect(order).toMatchObject({ id, status: 'done' });

    // Ctrl+C: each finishes what it has in hand and exits 0.
    for (const program of programs.reverse()) {
      program.child.kill('SIGINT');
      expect(await program.exit()).toEqual({ code: 0, signal: null });
    }
  });

  it('a consumer without a valid department says how to call it, and exits 2', async () => {
    const program = runProgram(script('run-consumer'), ['--department', 'accounts'], { AMQP_URL: broker.amqpUrl });
    expect(await program.exit()).toEqual({ code: 2, signal: null });
    expect(program.output).toEqual(['usage: consumer --department <sales|marketing|warehouse> [--department ...]']);
  });
});
