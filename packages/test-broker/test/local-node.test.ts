import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { findRabbitInstallation } from '../src/installation.js';
import { startLocalNode } from '../src/local-node.js';
import { pollUntil } from '../src/wait.js';
import { isRunning, listeningAddresses, processGroupMembers } from './processes.js';

const installed = findRabbitInstallation() !== undefined && process.platform === 'linux';
const START_NODE_SCRIPT = fileURLToPath(new URL('./fixtures/start-node.ts', import.meta.url));

function nonLoopbackAddress(): string | undefined {
  return Object.values(os.networkInterfaces())
    .flat()
    .find((address) => address?.family === 'IPv4' && !address.internal)?.address;
}

describe.skipIf(!installed)('a local rabbitmq-server node', () => {
  it('listens on 127.0.0.1 only, and leaves no process or data behind when stopped', async () => {
    const node = await startLocalNode();
    const serverGroup = processGroupMembers(node.pids.server ?? -1);
    const epmdGroup = processGroupMembers(node.pids.epmd ?? -1);
    const everyPid = [...serverGroup, ...epmdGroup];
    try {
      expect(serverGroup.length).toBeGreaterThan(1);
      const addresses = listeningAddresses(everyPid);
      // AMQP, management, Erlang distribution and epmd at least.
      expect(addresses.length).toBeGreaterThanOrEqual(4);
      const loopback = /^(127\.0\.0\.1|\[::1\]):\d+$/;
      expect(addresses.filter((address) => !loopback.test(address))).toEqual([]);

      const outside = nonLoopbackAddress();
      if (outside) {
        const port = new URL(node.handle.amqpUrl).port;
        await expect(amqp.connect(`amqp://${outside}:${port}`)).rejects.toThrow(/ECONNREFUSED/);
      }
    } finally {
      await node.stop();
    }
    expect(everyPid.filter(isRunning)).toEqual([]);
    expect(isRunning(node.pids.reaper)).toBe(false);
    expect(existsSync(node.dataDir)).toBe(false);
  });

  it('is stopped by its reaper when the process that started it is killed with SIGKILL', async () => {
    const starter = spawn(process.execPath, ['--import', 'tsx', START_NODE_SCRIPT], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = await readline
      .createInterface({ input: starter.stdout! })
      [Symbol.asyncIterator]()
      .next()
      .then(({ value }) => [value as string]);
    const started = JSON.parse(line ?? '{}') as { server: number; epmd: number; reaper: number; dataDir: string };
    const pids = [...processGroupMembers(started.server), ...processGroupMembers(started.epmd), started.reaper];
    expect(pids.filter(isRunning).length).toBeGreaterThan(2);

    starter.kill('SIGKILL');

    await pollUntil(async () => pids.filter(isRunning).length === 0, {
      timeoutMs: 40_000,
      what: 'the orphaned node to be stopped',
    });
    expect(existsSync(started.dataDir)).toBe(false);
  });
});
