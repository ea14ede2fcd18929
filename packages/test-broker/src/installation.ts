import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import {
  CannotProvisionError,
  findCachedInstall,
  type ProvisionPlan,
  provisionFromApt,
  provisionPlan,
} from './cached-install.js';

export interface RabbitInstallation {
  serverPath: string;
  ctlPath: string;
  epmdPath: string;
  /** Environment its scripts need (a cached install puts its Erlang first on PATH). */
  env: Record<string, string>;
}

// Debian's /usr/sbin/rabbitmq-server switches to the rabbitmq user; the
// scripts under /usr/lib/rabbitmq/bin run as whoever calls them.
const SERVER_CANDIDATES = [
  '/usr/lib/rabbitmq/bin/rabbitmq-server',
  '/opt/homebrew/opt/rabbitmq/sbin/rabbitmq-server',
  '/usr/local/opt/rabbitmq/sbin/rabbitmq-server',
  '/usr/local/sbin/rabbitmq-server',
];

const EPMD_CANDIDATES = ['/usr/lib/erlang/bin/epmd', '/opt/homebrew/bin/epmd', '/usr/local/bin/epmd'];

/** True when `file` exists and may be run. */
export function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function onPath(name: string, searchPath = process.env.PATH ?? ''): string | undefined {
  for (const dir of searchPath.split(path.delimiter)) {
    const file = path.join(dir, name);
    if (dir && executable(file)) return file;
  }
  return undefined;
}

function fromServerPath(serverPath: string, env: Record<string, string> = {}): RabbitInstallation | undefined {
  const ctlPath = path.join(path.dirname(serverPath), 'rabbitmqctl');
  // epmd beside the server first: a wrapper folder (a chroot's RabbitMQ) has one there.
  const beside = path.join(path.dirname(serverPath), 'epmd');
  const epmdPath =
    (executable(beside) ? beside : undefined) ?? onPath('epmd', env.PATH) ?? EPMD_CANDIDATES.find(executable);
  if (!executable(ctlPath) || !epmdPath) return undefined;
  return { serverPath, ctlPath, epmdPath, env };
}

/** The RabbitMQ fetched into the per-user cache, if it is there and complete. */
function cachedInstallation(): RabbitInstallation | undefined {
  const cached = findCachedInstall();
  if (!cached) return undefined;
  const erlangBin = path.join(cached.root, 'usr', 'lib', 'erlang', 'bin');
  const PATH = [erlangBin, path.join(cached.root, 'usr', 'bin'), process.env.PATH ?? ''].join(path.delimiter);
  return fromServerPath(path.join(cached.root, 'usr', 'lib', 'rabbitmq', 'bin', 'rabbitmq-server'), { PATH });
}

/** Thrown when RABBITMQ_SERVER_BIN names something that cannot run. */
export class ServerBinError extends Error {
  constructor(file: string) {
    super(
      `RABBITMQ_SERVER_BIN=${file} is not an executable rabbitmq-server with rabbitmqctl beside it and epmd beside it or on PATH: fix it or unset it.`,
    );
    this.name = 'ServerBinError';
  }
}

/**
 * The RabbitMQ to start nodes from: RABBITMQ_SERVER_BIN when set (and only
 * it), else one installed on the machine, else the per-user cache;
 * undefined when there is none.
 */
export function findRabbitInstallation(): RabbitInstallation | undefined {
  const chosen = process.env.RABBITMQ_SERVER_BIN;
  if (chosen) {
    const installation = executable(chosen) ? fromServerPath(chosen) : undefined;
    if (!installation) throw new ServerBinError(chosen);
    return installation;
  }
  return findSystemInstallation() ?? cachedInstallation();
}

/** RabbitMQ installed on the machine (a package manager's, or on PATH), not the cache. */
export function findSystemInstallation(): RabbitInstallation | undefined {
  const installed = SERVER_CANDIDATES.find(executable) ?? onPath('rabbitmq-server');
  return installed ? fromServerPath(installed) : undefined;
}

/**
 * The installation to start nodes from; on a machine with none, RabbitMQ is
 * fetched into the per-user cache first (once). Throws CannotProvisionError,
 * whose message says what to do, where that cannot work.
 */
export async function ensureRabbitInstallation(): Promise<RabbitInstallation> {
  const found = findRabbitInstallation();
  if (found) return found;
  return provisionCachedInstallation();
}

/** How this machine would get RabbitMQ into the cache (apt), or what to tell the user. */
export function provisionPlanHere(): ProvisionPlan {
  return provisionPlan({ platform: process.platform, has: (program) => onPath(program) !== undefined });
}

/** The per-user cache's installation, fetched first if it is not there yet. */
export async function provisionCachedInstallation(): Promise<RabbitInstallation> {
  if (!findCachedInstall()) {
    const plan = provisionPlanHere();
    if (plan.kind === 'unable') throw new CannotProvisionError(plan.message);
    await provisionFromApt();
  }
  const provisioned = cachedInstallation();
  if (!provisioned) throw new CannotProvisionError('RabbitMQ was fetched, but its rabbitmqctl or epmd is missing.');
  return provisioned;
}
