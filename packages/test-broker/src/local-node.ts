import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import getPort from 'get-port';
import type { BrokerHandle } from './handle.js';
import { ensureRabbitInstallation } from './installation.js';
import { ManagementClient } from './management.js';
import { ENABLED_PLUGINS } from './plugins.js';
import { makeCertificates } from './tls.js';
import { canConnect, pollUntil } from './wait.js';

export interface LocalNodeOptions {
  /** Directory for data and logs; kept after stop. Default: a temp dir, removed on stop. */
  dataDir?: string;
  /** Erlang node name, e.g. `rabbit-dev@localhost`. Default: a unique one. */
  nodename?: string;
  /** Fixed ports; any left out are picked free at run time. */
  ports?: { amqp?: number; management?: number; dist?: number; stream?: number };
  username?: string;
  password?: string;
  /** Also listen for AMQP over TLS, with certificates made for this node. Default: false */
  tls?: boolean;
  /** How long to wait for startup. Default: 90 s */
  startupTimeoutMs?: number;
  /** The Erlang cookie; nodes of one cluster share it. Default: a random one. */
  cookie?: string;
  /** The epmd port; nodes of one cluster share it. Default: a free one. */
  epmdPort?: number;
  /** Start epmd with the node. Default: true; false when another node of the cluster runs it. */
  runEpmd?: boolean;
  /** More rabbitmq.conf settings, e.g. cluster formation. */
  settings?: Record<string, string | number | boolean>;
}

export interface LocalNode {
  handle: BrokerHandle;
  /** Pids of the processes it runs, for tests that check nothing is left. */
  pids: { reaper: number; server?: number; epmd?: number };
  dataDir: string;
  /** Kills the node's processes with SIGKILL, as a crash would, and waits until they are gone. */
  kill(): Promise<void>;
  /** Starts the node again after `kill`, with its data, and waits until it is ready. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

const REAPER = fileURLToPath(new URL('./reaper.mjs', import.meta.url));

function rabbitConfig(settings: Record<string, string | number | boolean>): string {
  return `${Object.entries(settings)
    .map(([key, value]) => `${key} = ${value}`)
    .join('\n')}\n`;
}

function tail(file: string, lines = 40): string {
  if (!existsSync(file)) return `(no ${path.basename(file)})`;
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Starts an isolated RabbitMQ node from the local installation: its own data
 * dir, ports, node name, Erlang cookie and epmd, listening on 127.0.0.1 only.
 * A detached reaper process owns the node, so it is stopped even if this
 * process is killed.
 */
export async function startLocalNode(options: LocalNodeOptions = {}): Promise<LocalNode> {
  const installation = await ensureRabbitInstallation();

  const temporary = !options.dataDir;
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'test-broker-'));
  mkdirSync(path.join(dataDir, 'log'), { recursive: true });
  const nodename = options.nodename ?? `rabbit-${randomBytes(4).toString('hex')}@localhost`;
  const username = options.username ?? 'harness';
  const password = options.password ?? randomBytes(12).toString('hex');
  const amqpPort = options.ports?.amqp ?? (await getPort({ host: '127.0.0.1' }));
  const managementPort = options.ports?.management ?? (await getPort({ host: '127.0.0.1' }));
  const distPort = options.ports?.dist ?? (await getPort({ host: '127.0.0.1' }));
  const epmdPort = options.epmdPort ?? (await getPort({ host: '127.0.0.1' }));
  const streamPort = options.ports?.stream ?? (await getPort({ host: '127.0.0.1' }));

  const settings: Record<string, string | number | boolean> = {
    'listeners.tcp.default': `127.0.0.1:${amqpPort}`,
    'management.tcp.ip': '127.0.0.1',
    'management.tcp.port': managementPort,
    'stream.listeners.tcp.default': `127.0.0.1:${streamPort}`,
    // Stream clients connect again to the host the node advertises, by default
    // its host name, which may not resolve to the loopback address it listens on.
    'stream.advertised_host': '127.0.0.1',
    'stream.advertised_port': streamPort,
    default_user: username,
    default_pass: password,
    // A shared machine: the default 40 % of RAM would be several GB.
    'vm_memory_high_watermark.absolute': '1GB',
    // Management counts refresh every 5 s by default; tests read them.
    collect_statistics_interval: 500,
    'log.console': false,
    'log.file.level': 'info',
    ...options.settings,
  };
  let tls: BrokerHandle['tls'];
  if (options.tls) {
    const tlsPort = await getPort({ host: '127.0.0.1' });
    const certs = makeCertificates(path.join(dataDir, 'tls'));
    Object.assign(settings, {
      'listeners.ssl.default': `127.0.0.1:${tlsPort}`,
      'ssl_options.cacertfile': certs.caFile,
      'ssl_options.certfile': certs.serverCertFile,
      'ssl_options.keyfile': certs.serverKeyFile,
      'ssl_options.verify': 'verify_peer',
      // Mutual TLS: a client must show a certificate signed by the same CA.
      'ssl_options.fail_if_no_peer_cert': true,
    });
    tls = {
      amqpsUrl: `amqps://${username}:${password}@localhost:${tlsPort}`,
      caFile: certs.caFile,
      clientCertFile: certs.clientCertFile,
      clientKeyFile: certs.clientKeyFile,
    };
  }

  const configFile = path.join(dataDir, 'rabbitmq.conf');
  writeFileSync(configFile, rabbitConfig(settings));
  writeFileSync(path.join(dataDir, 'enabled_plugins'), ENABLED_PLUGINS);
  writeFileSync(path.join(dataDir, 'rabbitmq-env.conf'), '');
  const cookieFile = path.join(dataDir, '.erlang.cookie');
  if (!existsSync(cookieFile)) {
    writeFileSync(cookieFile, options.cookie ?? randomBytes(20).toString('hex'), { mode: 0o400 });
  }

  const loopbackOnly = '-kernel inet_dist_use_interface {127,0,0,1}';
  const controlEnv = {
    ...installation.env,
    HOME: dataDir,
    ERL_EPMD_PORT: String(epmdPort),
    RABBITMQ_CONF_ENV_FILE: path.join(dataDir, 'rabbitmq-env.conf'),
    RABBITMQ_CTL_ERL_ARGS: loopbackOnly,
  };
  const serverEnv = {
    ...controlEnv,
    RABBITMQ_NODENAME: nodename,
    RABBITMQ_NODE_IP_ADDRESS: '127.0.0.1',
    RABBITMQ_NODE_PORT: String(amqpPort),
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_CONFIG_FILE: configFile,
    RABBITMQ_ADVANCED_CONFIG_FILE: path.join(dataDir, 'advanced.config'),
    RABBITMQ_ENABLED_PLUGINS_FILE: path.join(dataDir, 'enabled_plugins'),
    RABBITMQ_MNESIA_BASE: path.join(dataDir, 'mnesia'),
    RABBITMQ_LOG_BASE: path.join(dataDir, 'log'),
    RABBITMQ_PID_FILE: path.join(dataDir, 'rabbit.pid'),
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS: loopbackOnly,
    ERL_EPMD_ADDRESS: '127.0.0.1',
  };

  const outputFile = path.join(dataDir, 'server.out');
  const reaper = spawn(
    process.execPath,
    [
      REAPER,
      JSON.stringify({
        serverPath: installation.serverPath,
        epmdPath: options.runEpmd === false ? undefined : installation.epmdPath,
        env: serverEnv,
        epmdPort,
        outputFile,
        stopTimeoutMs: 30_000,
        removeDir: temporary ? dataDir : undefined,
      }),
    ],
    { detached: true, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const pids: LocalNode['pids'] = { reaper: reaper.pid ?? 0 };
  let exitReport: string | undefined;
  let serverGone: (() => void) | undefined;
  const stopped = new Promise<void>((resolve) => reaper.once('exit', () => resolve()));
  reaper.once('exit', () => {
    exitReport ??= 'the reaper process exited';
  });
  readline.createInterface({ input: reaper.stdout! }).on('line', (line) => {
    const event = JSON.parse(line) as { event: string; serverPid?: number; epmdPid?: number; code?: number };
    if (event.event === 'started') Object.assign(pids, { server: event.serverPid, epmd: event.epmdPid });
    if (event.event === 'exit') {
      exitReport = `rabbitmq-server exited with code ${event.code}`;
      serverGone?.();
    }
  });

  const stop = async (): Promise<void> => {
    if (reaper.exitCode === null) reaper.stdin?.end();
    await stopped;
  };

  const handle: BrokerHandle = {
    kind: 'local',
    amqpUrl: `amqp://${username}:${password}@127.0.0.1:${amqpPort}`,
    managementUrl: `http://127.0.0.1:${managementPort}`,
    streamUrl: `rabbitmq-stream://${username}:${password}@127.0.0.1:${streamPort}`,
    username,
    password,
    ...(tls ? { tls } : {}),
    control: {
      kind: 'local',
      ctlPath: installation.ctlPath,
      nodename,
      env: controlEnv,
      amqpPort,
    },
  };

  const untilReady = async () => {
    try {
      await waitUntilReady(handle, options.startupTimeoutMs ?? 90_000, () => exitReport);
    } catch (error) {
      const logFile = path.join(dataDir, 'log', `${nodename}.log`);
      const detail = `--- ${outputFile} ---\n${tail(outputFile)}\n--- ${logFile} ---\n${tail(logFile)}`;
      await stop();
      throw new Error(`RabbitMQ node ${nodename} failed to start: ${(error as Error).message}\n${detail}`);
    }
  };
  await untilReady();

  const kill = async () => {
    const group = pids.server;
    if (!group || exitReport) throw new Error(`RabbitMQ node ${nodename} is not running`);
    const gone = new Promise<void>((resolve) => {
      serverGone = resolve;
    });
    process.kill(-group, 'SIGKILL');
    await gone;
  };
  const start = async () => {
    if (!exitReport || reaper.exitCode !== null) throw new Error(`RabbitMQ node ${nodename} is running or stopped`);
    exitReport = undefined;
    reaper.stdin?.write('start\n');
    await untilReady();
  };
  return { handle, pids, dataDir, kill, start, stop };
}

/** Waits until the node accepts AMQP connections and answers management requests. */
export async function waitUntilReady(
  handle: BrokerHandle,
  timeoutMs: number,
  failure: () => string | undefined = () => undefined,
): Promise<void> {
  const management = new ManagementClient(handle.managementUrl, handle.username, handle.password);
  const { hostname, port } = new URL(handle.amqpUrl);
  await pollUntil(
    async () => {
      const failed = failure();
      if (failed) throw new Error(failed);
      if (!(await canConnect(Number(port), hostname))) return false;
      return management.overview().then(
        () => true,
        () => false,
      );
    },
    { timeoutMs, intervalMs: 200, what: 'RabbitMQ to accept connections' },
  );
}
