import { randomBytes } from 'node:crypto';
import { afterAll, inject } from 'vitest';
import { type BrokerFaults, faultsFor } from '../faults.js';
import { type BrokerHandle, withVhost } from '../handle.js';
import { ManagementClient } from '../management.js';

declare module 'vitest' {
  export interface ProvidedContext {
    broker: BrokerHandle;
  }
}

export interface TestBroker {
  /** This file's own vhost. */
  vhost: string;
  /** AMQP URL of this file's vhost, credentials included. */
  amqpUrl: string;
  /** amqps:// URL of this file's vhost, when the broker listens for TLS. */
  amqpsUrl?: string;
  /** rabbitmq-stream:// URL of this file's vhost, when the stream plugin listens. */
  streamUrl?: string;
  management: ManagementClient;
  /** Fault controls, or undefined for a user's own broker (AMQP_URL). */
  faults?: BrokerFaults;
  handle: BrokerHandle;
  /** A unique name for a queue or exchange, so tests never share one. */
  name(prefix: string): string;
}

/**
 * Creates a fresh vhost for the calling test file and deletes it after the
 * file's tests. Call it at the top of the file: `const broker = await useTestVhost('orders')`.
 */
export async function useTestVhost(label = 'test'): Promise<TestBroker> {
  const handle = inject('broker');
  const management = new ManagementClient(handle.managementUrl, handle.username, handle.password);
  const vhost = `${label}-${randomBytes(4).toString('hex')}`;
  await management.createVhost(vhost, handle.username);
  afterAll(() => management.deleteVhost(vhost));
  let counter = 0;
  return {
    vhost,
    amqpUrl: withVhost(handle.amqpUrl, vhost),
    ...(handle.tls ? { amqpsUrl: withVhost(handle.tls.amqpsUrl, vhost) } : {}),
    ...(handle.streamUrl ? { streamUrl: withVhost(handle.streamUrl, vhost) } : {}),
    management,
    faults: faultsFor(handle),
    handle,
    name: (prefix) => `${prefix}-${++counter}-${randomBytes(3).toString('hex')}`,
  };
}
