import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import getPort from 'get-port';
import type { BrokerHandle } from './handle.js';
import { ENABLED_PLUGINS } from './plugins.js';
import { makeCertificates } from './tls.js';

/** The image `pnpm broker`, the tests and docker-compose.yml use, unless TEST_BROKER_IMAGE names another. */
export const RABBITMQ_IMAGE = 'rabbitmq:4.1.4-management';

export function rabbitmqImage(env: NodeJS.ProcessEnv = process.env): string {
  return env.TEST_BROKER_IMAGE || RABBITMQ_IMAGE;
}

/** True when testcontainers finds a working container runtime (Docker, Podman, ...). */
export async function containerRuntimeAvailable(): Promise<boolean> {
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

export interface RunningContainer {
  handle: BrokerHandle;
  stop(): Promise<void>;
}

const TLS_DIR = '/etc/rabbitmq/test-broker-tls';

/**
 * What the harness's local nodes are configured with, as a conf.d drop-in:
 * management counts every 500 ms (tests read them), a memory limit that suits
 * a shared machine, mutual TLS on 5671, and streams.
 */
function brokerConfig(streamPort: number): string {
  return [
    'collect_statistics_interval = 500',
    // Stream clients connect again to the address the node advertises: the
    // port mapped on this side, not the container's own host name and port.
    'stream.listeners.tcp.default = 5552',
    'stream.advertised_host = localhost',
    `stream.advertised_port = ${streamPort}`,
    'vm_memory_high_watermark.absolute = 1GB',
    'listeners.ssl.default = 5671',
    `ssl_options.cacertfile = ${TLS_DIR}/ca.pem`,
    `ssl_options.certfile = ${TLS_DIR}/server.pem`,
    `ssl_options.keyfile = ${TLS_DIR}/server.key`,
    'ssl_options.verify = verify_peer',
    'ssl_options.fail_if_no_peer_cert = true',
    '',
  ].join('\n');
}

/** Starts RabbitMQ in a container with testcontainers' RabbitMQ module. */
export async function startContainer(): Promise<RunningContainer> {
  const { RabbitMQContainer } = await import('@testcontainers/rabbitmq');
  const username = 'harness';
  const password = randomBytes(12).toString('hex');
  const certsDir = mkdtempSync(path.join(os.tmpdir(), 'test-broker-tls-'));
  const certs = makeCertificates(certsDir);
  // The node runs as its own user: the (throwaway) server key must be readable.
  const copy = (source: string, name: string) => ({
    content: readFileSync(source),
    target: `${TLS_DIR}/${name}`,
    mode: 0o644,
  });
  // Fixed on this side, so the node can advertise it to stream clients.
  const streamPort = await getPort({ host: '127.0.0.1' });
  const container = await new RabbitMQContainer(rabbitmqImage())
    .withEnvironment({ RABBITMQ_DEFAULT_USER: username, RABBITMQ_DEFAULT_PASS: password })
    .withExposedPorts({ container: 5552, host: streamPort })
    .withCopyContentToContainer([
      { content: brokerConfig(streamPort), target: '/etc/rabbitmq/conf.d/90-test-broker.conf', mode: 0o644 },
      { content: ENABLED_PLUGINS, target: '/etc/rabbitmq/enabled_plugins', mode: 0o644 },
      copy(certs.caFile, 'ca.pem'),
      copy(certs.serverCertFile, 'server.pem'),
      copy(certs.serverKeyFile, 'server.key'),
    ])
    // 30 s, the module's default, is not enough on a loaded 2-core machine.
    .withStartupTimeout(120_000)
    .start();
  const host = container.getHost();
  return {
    handle: {
      kind: 'container',
      amqpUrl: `amqp://${username}:${password}@${host}:${container.getMappedPort(5672)}`,
      managementUrl: `http://${host}:${container.getMappedPort(15672)}`,
      streamUrl: `rabbitmq-stream://${username}:${password}@${host}:${streamPort}`,
      username,
      password,
      tls: {
        amqpsUrl: `amqps://${username}:${password}@${host}:${container.getMappedPort(5671)}`,
        caFile: certs.caFile,
        clientCertFile: certs.clientCertFile,
        clientKeyFile: certs.clientKeyFile,
      },
      control: { kind: 'container', containerId: container.getId() },
    },
    async stop() {
      await container.stop();
      rmSync(certsDir, { recursive: true, force: true });
    },
  };
}
