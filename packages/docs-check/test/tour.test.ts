import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { useTestVhost } from 'test-broker/vitest';
import { expect, it } from 'vitest';
import { ROOT } from './markdown.js';

const broker = await useTestVhost('tour');

it('pnpm start: every step of the tour runs against the broker, each names its page in docs/, and it ends saying so', async () => {
  // Rejects, with everything printed, if the tour exits other than 0.
  const { stdout } = await promisify(execFile)(process.execPath, [path.join(ROOT, 'scripts/tour.mjs')], {
    cwd: ROOT,
    env: {
      ...process.env,
      AMQP_URL: broker.amqpUrl,
      ...(broker.streamUrl ? { RABBITMQ_STREAM_URL: broker.streamUrl } : {}),
    },
    maxBuffer: 16 * 1024 * 1024,
  });
  const lines = stdout.trimEnd().split('\n');
  const pages = lines.flatMap((line) => /^=== \d+\. .*\((docs\/[^)]+)\) ===$/.exec(line)?.[1] ?? []);
  expect(pages).toEqual([
    'docs/01-hello-world.md',
    'docs/02-work-queues.md',
    'docs/03-publish-subscribe.md',
    'docs/04-routing.md',
    'docs/05-topics.md',
    'docs/06-rpc.md',
    'docs/07-publisher-confirms.md',
    'docs/08-streams.md',
    'docs/09-orders-store.md',
    'docs/10-retry-backoff.md',
  ]);
  for (const page of pages) expect(existsSync(path.join(ROOT, page)), page).toBe(true);
  expect(lines.at(-1)).toMatch(/^All steps ran\./);
}, 180_000);
