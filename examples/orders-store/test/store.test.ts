import path from 'node:path';
import { runProgram } from 'test-broker';
import { tempDir } from 'test-broker/vitest';
import { describe, expect, it } from 'vitest';
import { openStore } from '../src/plumbing/store.js';

describe('the store', () => {
  it('is opened by several processes at once on a new file (the roles started together), each one writing', async () => {
    for (let round = 0; round < 3; round++) {
      const file = path.join(tempDir('orders-store-'), 'orders.db');
      // A moment from now: long enough for every process to load, then all open together.
      const at = String(Date.now() + 3_000);
      const processes = Array.from({ length: 16 }, () =>
        runProgram(new URL('./fixtures/open-store.ts', import.meta.url), [file, at], {}),
      );
      const exits = await Promise.all(processes.map((p) => p.exit()));
      expect(
        exits.map((e) => e.code),
        processes.flatMap((p) => p.output).join('\n'),
      ).toEqual(Array(16).fill(0));
      const db = openStore(file);
      expect(db.prepare('SELECT count(*) AS n FROM orders').get()).toEqual({ n: 16 });
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      db.close();
    }
  });
});
