import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { containerRuntimeAvailable, rabbitmqImage } from './container.js';
import { rabbitmqctl } from './ctl.js';
import type { NodeControl } from './handle.js';
import { ensureRabbitInstallation } from './installation.js';
import { startLocalNode } from './local-node.js';
import { ENABLED_PLUGINS } from './plugins.js';
import { isAlive } from './processes.js';
import { canConnect } from './wait.js';

export const DEV_PORTS = { amqp: 5672, management: 15672, dist: 25672, stream: 5552 } as const;

function projectRoot(from = process.cwd()): string {
  let dir = from;
  while (!existsSync(path.join(dir, 'pnpm-workspace.yaml'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return from;
    dir = parent;
  }
  return dir;
}

/** Throws when a dev broker (or anything else) already holds the ports. */
async function refuseSecondBroker(pidFile: string): Promise<void> {
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, 'utf8'));
    if (isAlive(pid)) {
      throw new Error(
        `A dev broker is already running (pid ${pid}) at amqp://localhost:${DEV_PORTS.amqp}. Use it, or stop it with Ctrl+C in its terminal.`,
      );
    }
  }
  for (const port of Object.values(DEV_PORTS)) {
    if (await canConnect(port)) {
      throw new Error(
        `Port ${port} is already in use (another RabbitMQ?). Stop it, or point AMQP_URL at it instead of running pnpm broker.`,
      );
    }
  }
}

async function startDevContainer(dataDir: string) {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(rabbitmqImage())
    .withHostname('dev-broker')
    .withExposedPorts(
      { container: 5672, host: DEV_PORTS.amqp },
      { container: 15672, host: DEV_PORTS.management },
      { container: 5552, host: DEV_PORTS.stream },
    )
    .withCopyContentToContainer([
      { content: ENABLED_PLUGINS, target: '/etc/rabbitmq/enabled_plugins', mode: 0o644 },
      // Stream clients connect again to the host the node advertises: this one, not the container.
      {
        content: 'stream.advertised_host = localhost\n',
        target: '/etc/rabbitmq/conf.d/90-dev-broker.conf',
        mode: 0o644,
      },
    ])
    .withBindMounts([{ source: dataDir, target: '/var/lib/rabbitmq' }])
    .withWaitStrategy(Wait.forLogMessage('Server startup complete'))
    .start();
  return {
    stop: () => container.stop().then(() => undefined),
    control: { kind: 'container', containerId: container.getId() } satisfies NodeControl,
  };
}

function controlFile(root: string): string {
  return path.join(root, 'control.json');
}

/** `pnpm rabbitmqctl <args>`: rabbitmqctl against the running dev broker. */
export async function devBrokerCtl(args: string[]): Promise<string> {
  const file = controlFile(path.join(projectRoot(), '.broker'));
  if (!existsSync(file)) throw new Error('No dev broker is running: start one with "pnpm broker".');
  return rabbitmqctl(JSON.parse(readFileSync(file, 'utf8')) as NodeControl, args);
}

/**
 * `pnpm broker`: a RabbitMQ for the docs' two-terminal steps, in the
 * foreground, on the standard ports with guest/guest, its data kept in
 * `.broker/` so durable queues survive a restart. Ctrl+C or SIGTERM stops it
 * and exits 0. The root script execs the CLI (no turbo, no shell in between):
 * a shell between pnpm and this process dies of the Ctrl+C itself, and pnpm
 * then reports a failure whatever this process does.
 */
export async function runDevBroker(): Promise<void> {
  const root = path.join(projectRoot(), '.broker');
  mkdirSync(root, { recursive: true });
  const pidFile = path.join(root, 'broker.pid');
  await refuseSecondBroker(pidFile);
  writeFileSync(pidFile, String(process.pid));

  let stop: () => Promise<void>;
  let control: NodeControl | undefined;
  if (await containerRuntimeAvailable()) {
    console.log(`Starting RabbitMQ (${rabbitmqImage()}) in a container, data in .broker/container ...`);
    const dataDir = path.join(root, 'container');
    mkdirSync(dataDir, { recursive: true });
    ({ stop, control } = await startDevContainer(dataDir));
  } else {
    await ensureRabbitInstallation(); // fetched into the per-user cache on first use
    console.log('Starting the local rabbitmq-server, data in .broker/local ...');
    const node = await startLocalNode({
      dataDir: path.join(root, 'local'),
      nodename: 'rabbit-dev@localhost',
      ports: DEV_PORTS,
      username: 'guest',
      password: 'guest',
    });
    ({ stop } = node);
    control = node.handle.control;
  }

  // For `pnpm rabbitmqctl ...`: how to reach this node.
  writeFileSync(controlFile(root), JSON.stringify(control));
  console.log(`RabbitMQ is ready.
  AMQP:          amqp://guest:guest@localhost:${DEV_PORTS.amqp}   (the examples' default, AMQP_URL=amqp://localhost)
  Management UI: http://localhost:${DEV_PORTS.management}   (user guest, password guest)
  Streams:       rabbitmq-stream://guest:guest@localhost:${DEV_PORTS.stream}   (step 8, streams)
Press Ctrl+C to stop it; its data stays in .broker/.`);

  // `on`, not `once`: Ctrl+C reaches this process twice (from the terminal,
  // and forwarded by pnpm), and a second signal must not kill it while it stops
  // the broker. Exit 0: stopping on a signal is how this program is meant to end.
  await new Promise<void>((resolve) => {
    process.on('SIGINT', () => resolve());
    process.on('SIGTERM', () => resolve());
  });
  console.log('Stopping RabbitMQ ...');
  await stop();
  rmSync(pidFile, { force: true });
  rmSync(controlFile(root), { force: true });
  console.log('RabbitMQ stopped.');
  process.exitCode = 0;
}
