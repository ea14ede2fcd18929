// What the tests need, fetched on first use, as mongodb-memory-server fetches
// MongoDB: Debian's (or Ubuntu's) own packages (rabbitmq-server and the Erlang
// it needs; python3-pika), unpacked into a per-user cache without root, reused
// from then on.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { isAlive } from './processes.js';

const run = promisify(execFile);

/** `$XDG_CACHE_HOME/rabbitmq-by-example`, or `~/.cache/rabbitmq-by-example`. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(env.HOME || os.homedir(), '.cache');
  return path.join(base, 'rabbitmq-by-example');
}

/** Where a finished bundle lives; it exists only once complete (it is renamed into place). */
export function cachedInstallDir(env: NodeJS.ProcessEnv = process.env, bundle = 'rabbitmq-server'): string {
  return path.join(cacheDir(env), bundle);
}

const MARKER = 'installed.json';
const stagingPrefix = (bundle: string) => `.${bundle}.partial-`;

export interface CachedInstall {
  /** The unpacked file system: usr/lib/rabbitmq, usr/lib/erlang, ... */
  root: string;
  version: string;
}

/** The complete cached bundle, or undefined when there is none yet. */
export function findCachedInstall(
  env: NodeJS.ProcessEnv = process.env,
  bundle = 'rabbitmq-server',
): CachedInstall | undefined {
  const dir = cachedInstallDir(env, bundle);
  const marker = path.join(dir, MARKER);
  if (!existsSync(marker)) return undefined;
  const { version } = JSON.parse(readFileSync(marker, 'utf8')) as { version: string };
  return { root: path.join(dir, 'root'), version };
}

/** How this machine can get RabbitMQ when none is installed: the apt archive, or a line saying what to do. */
export type ProvisionPlan = { kind: 'apt' } | { kind: 'unable'; message: string };

export const NO_BROKER_MESSAGE =
  'No RabbitMQ broker found: install one (sudo apt-get install rabbitmq-server, or brew install rabbitmq), start Docker, or set AMQP_URL to yours.';

export const BREW_MESSAGE =
  'No RabbitMQ broker found: run "brew install rabbitmq" (the tests start their own node from it), start Docker, or set AMQP_URL to yours.';

export function provisionPlan(machine: {
  platform: NodeJS.Platform;
  has: (program: string) => boolean;
}): ProvisionPlan {
  if (machine.platform === 'linux' && machine.has('apt-get') && machine.has('dpkg-deb')) return { kind: 'apt' };
  // Homebrew installs system-wide and upgrades what it likes: the user's call, so we name it.
  if (machine.platform === 'darwin' && machine.has('brew')) return { kind: 'unable', message: BREW_MESSAGE };
  return { kind: 'unable', message: NO_BROKER_MESSAGE };
}

export class CannotProvisionError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CannotProvisionError';
  }
}

/** One progress line, written as it goes: "…: fetching 22 packages, unpacking, done in 4.1 s". */
function progressLine(write: (text: string) => void) {
  let first = true;
  return (step: string) => {
    write(first ? `[test-broker] ${step}` : `, ${step}`);
    first = false;
  };
}

/** Staging folders of runs that died (Ctrl+C, a full disk, a kill) are never used: remove them. */
function removeAbandonedStaging(cache: string, prefix: string): void {
  for (const entry of readdirSync(cache)) {
    if (!entry.startsWith(prefix)) continue;
    const pid = Number(entry.slice(prefix.length).split('-')[0]);
    if (!isAlive(pid)) rmSync(path.join(cache, entry), { recursive: true, force: true });
  }
}

/** A package fetched with what it needs, into a cache folder of its own. */
interface DebianBundle {
  /** The package apt resolves; the bundle's folder and version are its. */
  package: string;
  /** For the progress line: "no RabbitMQ installed: fetching it ...". */
  what: string;
  /** What the user can do instead, when apt cannot. */
  otherwise: string;
  /** Fix-ups once unpacked, given the staging root and the root's final place. */
  relocate?: (root: string, finalRoot: string) => void;
}

/** RabbitMQ and the Erlang it needs. */
export function provisionFromApt(
  write: (text: string) => void = (text) => process.stderr.write(text),
  env: NodeJS.ProcessEnv = process.env,
): Promise<CachedInstall> {
  const bundle = {
    package: 'rabbitmq-server',
    what: 'RabbitMQ',
    otherwise: 'install it (sudo apt-get install rabbitmq-server), start Docker, or set AMQP_URL to yours',
    relocate: relocateErlang,
  };
  return fetchDebianBundle(bundle, write, env);
}

/**
 * Fetches a package and what it needs that this machine lacks (apt's own
 * resolver decides, against the installed packages) and unpacks them into the
 * cache. Everything happens in a staging folder that is renamed into place at
 * the end, so a run that dies half-way leaves nothing usable.
 */
export async function fetchDebianBundle(
  bundle: DebianBundle,
  write: (text: string) => void = (text) => process.stderr.write(text),
  env: NodeJS.ProcessEnv = process.env,
): Promise<CachedInstall> {
  const cache = cacheDir(env);
  const finalDir = cachedInstallDir(env, bundle.package);
  mkdirSync(cache, { recursive: true });
  removeAbandonedStaging(cache, stagingPrefix(bundle.package));
  const staging = path.join(cache, `${stagingPrefix(bundle.package)}${process.pid}-${randomBytes(3).toString('hex')}`);
  const lists = path.join(staging, 'apt', 'lists');
  mkdirSync(path.join(lists, 'partial'), { recursive: true });
  mkdirSync(path.join(staging, 'apt', 'cache', 'archives', 'partial'), { recursive: true });
  const debs = path.join(staging, 'debs');
  const root = path.join(staging, 'root');
  mkdirSync(debs);
  mkdirSync(root);

  // apt with its own package lists, so it needs no root and leaves the
  // system's alone; the dpkg status stays the system's, so apt knows what is installed.
  const aptOptions = [
    '-o',
    `Dir::State::Lists=${lists}`,
    '-o',
    `Dir::Cache=${path.join(staging, 'apt', 'cache')}`,
    '-o',
    'Debug::NoLocking=true',
    // As root, apt downloads as the _apt user, who cannot write our folders.
    ...(process.getuid?.() === 0 ? ['-o', 'APT::Sandbox::User=root'] : []),
  ];
  const apt = (args: string[], cwd?: string) =>
    run('apt-get', [...aptOptions, ...args], { cwd, maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });

  const started = Date.now();
  const step = progressLine(write);
  try {
    step(`no ${bundle.what} installed: fetching it from the apt archive into ${displayPath(cache)}, once`);
    // Some configured archive may be unreachable; what matters is whether the package resolves.
    await apt(['update', '-qq']).catch(() => undefined);
    const packages = await packagesToFetch(apt, bundle.package);
    const version = packages.find((p) => p.name === bundle.package)?.version ?? '';
    step(`${packages.length} package${packages.length === 1 ? '' : 's'} (${bundle.package} ${version})`);
    await apt(['download', '-qq', ...packages.map((p) => `${p.name}=${p.version}`)], debs);
    step('unpacking');
    for (const deb of readdirSync(debs).filter((file) => file.endsWith('.deb'))) {
      await run('dpkg-deb', ['-x', path.join(debs, deb), root]);
    }
    bundle.relocate?.(root, path.join(finalDir, 'root'));
    rmSync(debs, { recursive: true, force: true });
    rmSync(path.join(staging, 'apt'), { recursive: true, force: true });
    writeFileSync(path.join(staging, MARKER), JSON.stringify({ version, packages }, null, 2));
    // A folder there without its marker is not ours to keep (moved in by hand, say).
    if (existsSync(finalDir) && !findCachedInstall(env, bundle.package))
      rmSync(finalDir, { recursive: true, force: true });
    try {
      renameSync(staging, finalDir);
    } catch (error) {
      // Another run finished first: use its copy.
      if (!findCachedInstall(env, bundle.package)) throw error;
      rmSync(staging, { recursive: true, force: true });
    }
    step(`done in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  } catch (error) {
    write('\n');
    rmSync(staging, { recursive: true, force: true });
    const detail = ((error as { stderr?: string }).stderr || (error as Error).message).trim().split('\n').at(-1);
    throw new CannotProvisionError(`Could not fetch ${bundle.what} with apt (${detail}): ${bundle.otherwise}.`, {
      cause: error,
    });
  }
  const install = findCachedInstall(env, bundle.package);
  if (!install)
    throw new CannotProvisionError(`The ${bundle.what} cache at ${finalDir} is incomplete: delete it and retry.`);
  return install;
}

interface AptPackage {
  name: string;
  version: string;
}

/** What `apt-get install <package>` would install here, by apt's own resolver (a simulation needs no root). */
async function packagesToFetch(
  apt: (args: string[]) => Promise<{ stdout: string }>,
  wanted: string,
): Promise<AptPackage[]> {
  const { stdout } = await apt(['install', '--simulate', '--no-install-recommends', wanted]);
  const packages = [...stdout.matchAll(/^Inst (\S+) (?:\[\S+\] )?\((\S+)/gm)].map(([, name = '', version = '']) => ({
    name,
    version,
  }));
  if (!packages.some((p) => p.name === wanted)) {
    throw new Error(`apt would install no ${wanted} (is it installed system-wide already?)`);
  }
  return packages;
}

/**
 * Erlang's start scripts have their install folder written in
 * (`ROOTDIR=/usr/lib/erlang`): point them at the cache.
 */
function relocateErlang(root: string, finalRoot: string): void {
  const erlang = path.join(root, 'usr', 'lib', 'erlang');
  if (!existsSync(erlang)) return; // Erlang is installed system-wide; only RabbitMQ was fetched.
  const binDirs = [
    path.join(erlang, 'bin'),
    ...readdirSync(erlang)
      .filter((entry) => entry.startsWith('erts-'))
      .map((entry) => path.join(erlang, entry, 'bin')),
  ];
  for (const dir of binDirs) {
    for (const script of ['erl', 'start']) {
      const file = path.join(dir, script);
      if (!existsSync(file)) continue;
      const text = readFileSync(file, 'utf8');
      writeFileSync(
        file,
        text.replaceAll('ROOTDIR=/usr/lib/erlang', `ROOTDIR=${path.join(finalRoot, 'usr', 'lib', 'erlang')}`),
      );
    }
  }
}

function displayPath(dir: string): string {
  const home = os.homedir();
  return dir.startsWith(`${home}/`) ? `~${dir.slice(home.length)}` : dir;
}
