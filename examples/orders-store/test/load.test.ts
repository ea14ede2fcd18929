import os from 'node:os';
import getPort from 'get-port';
import { childProcesses, isAlive, pollUntil, runProgram } from 'test-broker';
import { tempDir, useTestVhost } from 'test-broker/vitest';
import { describe, expect, it } from 'vitest';

const broker = await useTestVhost('orders-load');
const script = (name: string) => new URL(`../src/plumbing/${name}.ts`, import.meta.url);

/** `start` on a new store, once it says where to open the page. */
async function startShop(label: string) {
  const port = await getPort();
  const env = {
    AMQP_URL: broker.amqpUrl,
    DATA_DIR: tempDir(`orders-${label}-`),
    PORT: String(port),
  };
  const shop = runProgram(script('start'), [], env);
  await shop.line(`open http://127.0.0.1:${port}/`);
  return { shop, env };
}

/** The processes `pid` started, with their command lines. */
describe('the random-order producer', () => {
  it('places orders on the whole shop (pnpm start) and sums up once every one is done', async () => {
    const { shop, env } = await startShop('load');

    const load = runProgram(script('load'), ['--count', '60', '--rate', '120'], env);
    expect(await load.exit()).toEqual({ code: 0, signal: null });
    // A "behind schedule" line may come second on a machine too busy to keep to the rate.
    const summary = load.output.filter((line) => !line.startsWith('behind schedule: '));
    expect(summary[0]).toMatch(/^placed 60 orders in [\d.]+ s \(\d+\/s\): 60 accepted, none refused$/);
    expect(summary[1]).toMatch(/^POST latency: p50 [\d.]+ ms, p99 [\d.]+ ms, max [\d.]+ ms$/);
    expect(summary[2]).toMatch(
      /^settled 60 of 60 within [\d.]+ s of the last POST: 60 done, 0 failed, 0 still pending$/,
    );
    expect(shop.output.filter((line) => line.includes('sales: order') && line.endsWith(' done'))).toHaveLength(60);

    shop.child.kill('SIGINT');
    expect(await shop.exit()).toEqual({ code: 0, signal: null });
  });

  it('runs the departments and the sales stand-in as child processes of lower priority that never outlive the shop, even killed', async () => {
    const { shop } = await startShop('children');
    const roles = childProcesses(shop.child.pid!);
    expect(roles.map(({ args }) => args.replace(/^.*\/plumbing\//, '')).sort()).toEqual([
      'run-consumer.ts --department sales --department marketing --department warehouse',
      'run-sales-system.ts',
    ]);
    // Below the API in the CPU's queue.
    for (const { pid } of roles) expect(os.getPriority(pid)).toBe(10);

    shop.child.kill('SIGKILL');
    await shop.exit();
    // The roles are other processes now owned by nobody: polling is the only way to see them go.
    await pollUntil(async () => roles.every(({ pid }) => !isAlive(pid)), {
      timeoutMs: 30_000,
      what: "the shop's roles to exit after it was killed",
    });
  });

  it('stops, saying why, and exits 1 when a role it runs dies', async () => {
    const { shop } = await startShop('role-dies');
    const roles = childProcesses(shop.child.pid!);
    const departments = roles.find(({ args }) => args.includes('run-consumer.ts'))!;

    process.kill(departments.pid, 'SIGKILL');
    expect(await shop.exit()).toEqual({ code: 1, signal: null });
    expect(shop.output.some((line) => /run-consumer .* exited \(SIGKILL\): stopping the shop$/.test(line))).toBe(true);
    await pollUntil(async () => roles.every(({ pid }) => !isAlive(pid)), {
      timeoutMs: 30_000,
      what: "the shop's other roles to exit",
    });
  });

  it('says in one line that the API cannot be reached, and exits 1', async () => {
    const url = `http://127.0.0.1:${await getPort()}`;
    // As `pnpm --filter orders-store load -- --count 5 ...` calls it: with the `--`.
    const load = runProgram(script('load'), ['--', '--count', '5', '--rate', '5', '--url', url], {});
    expect(await load.exit()).toEqual({ code: 1, signal: null });
    expect(load.output).toEqual([
      `Cannot reach the orders API at ${url}: connection refused (is the API running?). Start it with: pnpm --filter orders-store start`,
    ]);
  });

  it.each([
    [[], '--count is required'],
    [['--count', '10'], '--rate is required'],
    [['--count', '0', '--rate', '1'], '--count must be a whole number above 0'],
    [['--count', '3', '--rate', '1', '--url', 'not a url'], 'Invalid URL'],
    [['--count', '3', '--rate', '1', '--speed', '9'], "Unknown option '--speed'"],
  ])('load %j is a usage error (exit 2)', async (args, message) => {
    const load = runProgram(script('load'), args, {});
    expect(await load.exit()).toEqual({ code: 2, signal: null });
    expect(load.output[0]).toContain(message);
    expect(load.output[1]).toMatch(/^usage: load --count/);
  });
});
