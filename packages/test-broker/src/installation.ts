import { accessSync, constants } from 'node:fs';
import path from 'node:path';

export interface RabbitInstallation {
  serverPath: string;
  ctlPath: string;
  epmdPath: string;
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

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const file = path.join(dir, name);
    if (dir && executable(file)) return file;
  }
  return undefined;
}

/** The locally installed RabbitMQ, or undefined when there is none. */
export function findRabbitInstallation(): RabbitInstallation | undefined {
  // RABBITMQ_SERVER_BIN names the one to use (a custom install), and only it.
  const chosen = process.env.RABBITMQ_SERVER_BIN;
  const serverPath = chosen
    ? [chosen].find(executable)
    : (SERVER_CANDIDATES.find(executable) ?? onPath('rabbitmq-server'));
  if (!serverPath) return undefined;
  const ctlPath = path.join(path.dirname(serverPath), 'rabbitmqctl');
  const epmdPath = onPath('epmd') ?? EPMD_CANDIDATES.find(executable);
  if (!executable(ctlPath) || !epmdPath) return undefined;
  return { serverPath, ctlPath, epmdPath };
}
