import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { accessSync, constants, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { BREW_MESSAGE, findCachedInstall, NO_BROKER_MESSAGE, provisionPlan } from '../src/cached-install.js';
import { findSystemInstallation, provisionPlanHere } from '../src/installation.js';

const run = promisify(execFile);
const CLI = fileURLToPath(new URL('../bin/test-broker.mjs', import.meta.url));

describe('how a machine without RabbitMQ gets one', () => {
  const machine = (platform: NodeJS.Platform, programs: string[]) => ({
    platform,
    has: (program: string) => programs.includes(program),
  });

  it('Debian or Ubuntu fetch it from their own apt archive', () => {
    expect(provisionPlan(machine('linux', ['apt-get', 'dpkg-deb']))).toEqual({ kind: 'apt' });
  });

  it('macOS with Homebrew is told the one brew command, which it runs itself', () => {
    expect(provisionPlan(machine('darwin', ['brew']))).toEqual({ kind: 'unable', message: BREW_MESSAGE });
  });

  it('anywhere else, one line names every way to get a broker', () => {
    expect(provisionPlan(machine('linux', []))).toEqual({ kind: 'unable', message: NO_BROKER_MESSAGE });
    expect(provisionPlan(machine('win32', []))).toEqual({ kind: 'unable', message: NO_BROKER_MESSAGE });
  });
});

// With rabbitmq-server installed system-wide, apt has nothing to fetch.
const canProvision = provisionPlanHere().kind === 'apt' && !findSystemInstallation();

describe.runIf(canProvision)('RabbitMQ fetched into the per-user cache', () => {
  const cacheHome = mkdtempSync(path.join(os.tmpdir(), 'cached-install-'));
  const env = { ...process.env, XDG_CACHE_HOME: cacheHome, RABBITMQ_SERVER_BIN: '' };
  const cache = path.join(cacheHome, 'rabbitmq-by-example');
  afterAll(() => rmSync(cacheHome, { recursive: true, force: true }));

  it('a fetch killed half-way is never used, and the next run starts again and completes', async () => {
    // Its own process group, as a terminal's Ctrl+C would reach it: apt and dpkg-deb die too.
    const first = spawn(process.execPath, [CLI, 'provision'], {
      env,
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const exited = once(first, 'exit');
    let progress = '';
    await new Promise<void>((resolve, reject) => {
      first.stderr!.on('data', (chunk: Buffer) => {
        progress += chunk.toString();
        if (progress.includes('unpacking')) resolve();
      });
      void exited.then(() => reject(new Error(`exited before unpacking: ${progress}`)));
    });
    process.kill(-first.pid!, 'SIGKILL');
    await exited;
    expect(findCachedInstall(env)).toBeUndefined();
    expect(readdirSync(cache)).toEqual([expect.stringMatching(/^\.rabbitmq-server\.partial-/)]);

    const { stdout, stderr } = await run(process.execPath, [CLI, 'provision'], { env });
    expect(stderr).toMatch(/packages \(rabbitmq-server [^)]+\), unpacking, done in/);
    expect(readdirSync(cache)).toEqual(['rabbitmq-server']);
    const install = findCachedInstall(env);
    expect(install?.version).toMatch(/^\d+\.\d+/);
    const serverPath = stdout.trim();
    expect(serverPath.startsWith(cache)).toBe(true);
    accessSync(serverPath, constants.X_OK);
  });

  it("the cached Erlang runs from the cache, not from the folder Debian's scripts name", async () => {
    const erl = path.join(findCachedInstall(env)!.root, 'usr', 'lib', 'erlang', 'bin', 'erl');
    const { stdout } = await run(erl, ['-noshell', '-eval', 'io:format("~s", [code:root_dir()]), halt().'], { env });
    expect(stdout).toBe(path.join(cache, 'rabbitmq-server', 'root', 'usr', 'lib', 'erlang'));
  });

  it('a later run finds the cache and fetches nothing', async () => {
    const { stdout, stderr } = await run(process.execPath, [CLI, 'provision'], { env });
    expect(stderr).toBe('');
    expect(stdout.trim().startsWith(cache)).toBe(true);
  });
});
