import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import getPort from 'get-port';
import { type Program, runProgram } from 'test-broker';
import { DEPARTMENTS } from '../src/fan-out.js';
import { openStore } from '../src/plumbing/store.js';

export interface ShopUnderTest {
  apiUrl: string;
  /** Orders not yet done in every department. */
  unfinished(): number;
  stop(): Promise<void>;
}

/**
 * The shop as it is deployed: API, relay and each department in its own
 * process, sharing one store, JSON logs at info level.
 */
export async function startShopApart(amqpUrl: string, salesUrl: string): Promise<ShopUnderTest> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'orders-bench-'));
  const port = await getPort();
  const env = { AMQP_URL: amqpUrl, DATA_DIR: dataDir, PORT: String(port), SALES_URL: salesUrl, LOG_FORMAT: 'json' };
  const programs: Program[] = [];
  const run = async (script: string, args: string[], ready: string) => {
    const program = runProgram(new URL(`../src/plumbing/${script}.ts`, import.meta.url), args, env);
    programs.push(program);
    await program.line(ready);
  };
  await Promise.all(DEPARTMENTS.map((d) => run('run-consumer', ['--department', d], 'consumer ready')));
  await run('run-relay', [], 'relay publishing');
  await run('run-api', [], 'API listening');
  const db = openStore(path.join(dataDir, 'orders.db'), { readOnly: true });
  const unfinished = db.prepare("SELECT count(DISTINCT order_id) AS n FROM progress WHERE state != 'done'");
  return {
    apiUrl: `http://127.0.0.1:${port}`,
    unfinished: () => (unfinished.get() as { n: number }).n,
    stop: async () => {
      db.close();
      for (const program of programs) program.child.kill('SIGINT');
      await Promise.all(programs.map((program) => program.exit()));
    },
  };
}

/** The "write, then publish in the request" baseline, in its own process and store. */
export async function startInlineApi(amqpUrl: string): Promise<{ apiUrl: string; stop(): Promise<void> }> {
  const port = await getPort();
  const program = runProgram(new URL('./inline-api.ts', import.meta.url), [], {
    AMQP_URL: amqpUrl,
    DATA_DIR: mkdtempSync(path.join(os.tmpdir(), 'orders-inline-')),
    PORT: String(port),
  });
  await program.line('inline API listening');
  return {
    apiUrl: `http://127.0.0.1:${port}`,
    stop: async () => {
      program.child.kill('SIGINT');
      await program.exit();
    },
  };
}
