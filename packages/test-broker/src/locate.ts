import { redactUrl, resolveManagementApi } from 'retry-kit/tooling';
import { checkAmqpUrl } from './check-url.js';
import { containerRuntimeAvailable, startContainer } from './container.js';
import { type BrokerHandle, handleFromEnv } from './handle.js';
import { findRabbitInstallation, provisionPlanHere } from './installation.js';
import { startLocalNode } from './local-node.js';

export interface LocatedBroker {
  handle: BrokerHandle;
  /** Stops what was started; does nothing for a broker someone else runs. */
  stop(): Promise<void>;
}

/** A broker the user runs, from AMQP_URL and RABBITMQ_MANAGEMENT_URL (its address and user found as the kit finds them). */
export function externalHandle(amqpUrl: string, managementUrl?: string): BrokerHandle {
  const amqp = new URL(amqpUrl);
  const username = decodeURIComponent(amqp.username) || 'guest';
  const password = decodeURIComponent(amqp.password) || 'guest';
  const management = resolveManagementApi(amqpUrl, managementUrl);
  amqp.pathname = '';
  amqp.username = encodeURIComponent(username);
  amqp.password = encodeURIComponent(password);
  if (management.username !== username || management.password !== password) {
    throw new Error(
      'RABBITMQ_MANAGEMENT_URL must use the same user as AMQP_URL (the tests create vhosts as that user)',
    );
  }
  return {
    kind: 'external',
    amqpUrl: amqp.toString().replace(/\/$/, ''),
    managementUrl: management.url,
    username,
    password,
  };
}

const stopNothing = async () => {};

/**
 * Where {@link locateBroker} would get its broker, without starting anything:
 * `provision` means RabbitMQ would be fetched into the per-user cache first.
 */
export async function brokerSource(): Promise<'env' | 'container' | 'local' | 'provision' | 'none'> {
  if (handleFromEnv() || process.env.AMQP_URL) return 'env';
  if (await containerRuntimeAvailable()) return 'container';
  if (findRabbitInstallation()) return 'local';
  return provisionPlanHere().kind === 'apt' ? 'provision' : 'none';
}

/**
 * Finds a broker, in this order: one handed down by `test-broker run`
 * (TEST_BROKER), AMQP_URL, a container runtime (testcontainers), a local
 * rabbitmq-server installation, one fetched into the per-user cache (on
 * first use); otherwise throws CannotProvisionError, saying what to do.
 */
export async function locateBroker(log: (line: string) => void = () => {}): Promise<LocatedBroker> {
  const handedDown = handleFromEnv();
  if (handedDown) return { handle: handedDown, stop: stopNothing };

  const amqpUrl = process.env.AMQP_URL;
  if (amqpUrl) {
    const handle = externalHandle(amqpUrl, process.env.RABBITMQ_MANAGEMENT_URL);
    await checkAmqpUrl(amqpUrl);
    log(`using the broker at AMQP_URL ${redactUrl(handle.amqpUrl)}`);
    return { handle, stop: stopNothing };
  }

  if (await containerRuntimeAvailable()) {
    log('starting RabbitMQ in a container (testcontainers)');
    return startContainer();
  }

  const started = Date.now();
  const node = await startLocalNode({ tls: true });
  log(
    `started local RabbitMQ node ${node.handle.control?.kind === 'local' ? node.handle.control.nodename : ''} in ${Date.now() - started} ms`,
  );
  return { handle: node.handle, stop: node.stop };
}
