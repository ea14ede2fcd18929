import { randomBytes } from 'node:crypto';
import { withVhost } from './handle.js';
import { type LocatedBroker, locateBroker } from './locate.js';
import { ManagementClient } from './management.js';

export interface ScratchBroker {
  /** AMQP URL of a fresh vhost, deleted by `done()`. */
  url: string;
  vhost: string;
  handle: LocatedBroker['handle'];
  management: ManagementClient;
  /** Deletes the vhost, and stops the broker if it was started for this run. */
  done: () => Promise<void>;
}

/**
 * A broker for a program that is not a test (a benchmark): the one
 * `test-broker run` hands down, or one found or started here, and a fresh
 * vhost on it named `<label>-<random>`.
 */
export async function scratchBroker(label: string, log: (line: string) => void): Promise<ScratchBroker> {
  const broker = await locateBroker(log);
  const { handle } = broker;
  const management = new ManagementClient(handle.managementUrl, handle.username, handle.password);
  const vhost = `${label}-${randomBytes(4).toString('hex')}`;
  await management.createVhost(vhost, handle.username);
  return {
    url: withVhost(handle.amqpUrl, vhost),
    vhost,
    handle,
    management,
    done: async () => {
      await management.deleteVhost(vhost);
      await broker.stop();
    },
  };
}
