import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { withVhost } from '../src/handle.js';
import { findSystemInstallation } from '../src/installation.js';
import { externalHandle } from '../src/locate.js';
import { tempDir } from '../src/vitest/index.js';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../bin/test-broker.mjs', import.meta.url));

async function runCli(env: Record<string, string>) {
  const clean = { ...process.env };
  delete clean.TEST_BROKER;
  delete clean.AMQP_URL;
  try {
    await run(process.execPath, [CLI, 'run', '--', 'true'], { env: { ...clean, ...env } });
    return { code: 0, stderr: '' };
  } catch (error) {
    const failure = error as { code: number; stderr: string };
    return { code: failure.code, stderr: failure.stderr };
  }
}

describe('when no broker can be had', () => {
  // Nothing installed, nothing cached, no container runtime, and no apt-get on PATH to fetch one with.
  it.runIf(!findSystemInstallation())('says in one line how to get one and exits non-zero', async () => {
    const { code, stderr } = await runCli({
      PATH: tempDir('empty-path-'),
      XDG_CACHE_HOME: tempDir('empty-cache-'),
      RABBITMQ_SERVER_BIN: '',
      DOCKER_HOST: 'unix:///nonexistent',
    });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      '[test-broker] No RabbitMQ broker found: install one (sudo apt-get install rabbitmq-server, or brew install rabbitmq), start Docker, or set AMQP_URL to yours.',
    ]);
  });

  it('a RABBITMQ_SERVER_BIN that cannot run is named in one line', async () => {
    const { code, stderr } = await runCli({ RABBITMQ_SERVER_BIN: '/nonexistent', DOCKER_HOST: 'unix:///nonexistent' });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      '[test-broker] RABBITMQ_SERVER_BIN=/nonexistent is not an executable rabbitmq-server with rabbitmqctl beside it and epmd beside it or on PATH: fix it or unset it.',
    ]);
  });

  it('a wrong AMQP_URL gives one line naming the URL without its password', async () => {
    const { code, stderr } = await runCli({ AMQP_URL: 'amqp://alice:s3cret@127.0.0.1:1/shop' });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toEqual([
      '[test-broker] Nothing answers at amqp://alice:***@127.0.0.1:1/shop (ECONNREFUSED). Is RabbitMQ running there? Check AMQP_URL.',
    ]);
  });
});

describe('a wrong AMQP_URL for a running broker', () => {
  const handle = inject('broker');

  it('bad credentials give one line without the password', async () => {
    const url = new URL(handle.amqpUrl);
    url.password = 'not-the-password';
    const { code, stderr } = await runCli({ AMQP_URL: url.toString() });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain(`refused user "${decodeURIComponent(url.username)}": wrong user name or password`);
    expect(stderr).not.toContain('not-the-password');
  });

  it('an unknown vhost gives one line naming it', async () => {
    const { code, stderr } = await runCli({ AMQP_URL: withVhost(handle.amqpUrl, 'no-such-vhost') });
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toContain('refused vhost "no-such-vhost"');
    expect(stderr).not.toContain(handle.password);
  });
});

describe('reading AMQP_URL', () => {
  it('takes credentials from the URL and derives the management URL from its host', () => {
    expect(externalHandle('amqp://alice:p%40ss@rabbit.local:5673/shop')).toEqual({
      kind: 'external',
      amqpUrl: 'amqp://alice:p%40ss@rabbit.local:5673',
      managementUrl: 'http://rabbit.local:15672',
      username: 'alice',
      password: 'p@ss',
    });
  });
});
