import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { HANDLE_ENV } from '../src/handle.js';
import { tempDir } from '../src/vitest/index.js';
import { isRunning } from './processes.js';

const run = promisify(execFile);
const CONFIG = fileURLToPath(new URL('./fixtures/failing-run/vitest.config.ts', import.meta.url));

describe('a test that fails', () => {
  it('leaves no program it started running, nor what that program started', async () => {
    const pidsFile = path.join(tempDir('leaves-nothing-'), 'pids');
    const vitest = path.join(path.dirname(fileURLToPath(import.meta.resolve('vitest/package.json'))), 'vitest.mjs');
    const failed = await run(process.execPath, [vitest, 'run', '--config', CONFIG], {
      env: { ...process.env, PIDS_FILE: pidsFile, [HANDLE_ENV]: JSON.stringify(inject('broker')) },
    }).then(
      () => undefined,
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(failed?.code).toBe(1);
    expect(`${failed?.stdout}${failed?.stderr}`).toContain('a failure on purpose');
    const pids = readFileSync(pidsFile, 'utf8').trim().split('\n').map(Number);
    // Two programs (one from the file's beforeAll, one from the test), each with a child.
    expect(pids).toHaveLength(4);
    expect(pids.filter(isRunning)).toEqual([]);
  });
});
