import { randomBytes } from 'node:crypto';
import type { BrokerHandle } from './handle.js';

/** The image `pnpm broker`, the tests and docker-compose.yml all use. */
export const RABBITMQ_IMAGE = 'rabbitmq:4.1.4-management';

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

/** Starts RabbitMQ in a container with testcontainers' RabbitMQ module. */
export async function startContainer(): Promise<RunningContainer> {
  const { RabbitMQContainer } = await import('@testcontainers/rabbitmq');
  const username = 'harness';
  const password = randomBytes(12).toString('hex');
  const container = await new RabbitMQContainer(RABBITMQ_IMAGE)
    .withEnvironment({ RABBITMQ_DEFAULT_USER: username, RABBITMQ_DEFAULT_PASS: password })
    .start();
  const host = container.getHost();
  return {
    handle: {
      kind: 'container',
      amqpUrl: `amqp://${username}:${password}@${host}:${container.getMappedPort(5672)}`,
      managementUrl: `http://${host}:${container.getMappedPort(15672)}`,
      username,
      password,
      control: { kind: 'container', containerId: container.getId() },
    },
    async stop() {
      await container.stop();
    },
  };
}
