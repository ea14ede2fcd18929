import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { useTestVhost } from 'test-broker/vitest';
import { describe, expect, it } from 'vitest';
import { checkedRuns, pages, ROOT, shape } from './markdown.js';

const broker = await useTestVhost('outputs');
const runs = pages().flatMap(checkedRuns);

describe('commands a page marks as checked', () => {
  it('are found', () => {
    expect(runs.length).toBeGreaterThan(0);
  });

  it.each(runs.map((run) => [run.page, run.command, run]))(
    '%s: %s prints what the page shows, numbers aside',
    async (_page, _command, run) => {
      // Rejects, with everything printed, if the command exits other than 0.
      const { stdout } = await promisify(execFile)('sh', ['-c', run.command], {
        cwd: ROOT,
        env: { ...process.env, AMQP_URL: broker.amqpUrl },
        maxBuffer: 16 * 1024 * 1024,
      });
      expect(shape(stdout)).toEqual(shape(run.output));
    },
    60_000,
  );
});
