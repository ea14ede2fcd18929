import { rabbitmqctl } from './ctl.js';
import type { BrokerHandle } from './handle.js';
import { waitUntilReady } from './local-node.js';
import { ManagementClient } from './management.js';

/** Faults a test can inject into a broker the harness controls. */
export interface BrokerFaults {
  /** Stops and starts the RabbitMQ application; durable data is kept, connections are dropped. */
  restart(): Promise<void>;
  /** Stops the RabbitMQ application: connections drop and new ones are refused until `start`. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Closes every client connection, or only those of `vhost`. */
  closeAllConnections(vhost?: string): Promise<void>;
  /** Raises (or clears) a memory alarm: the broker blocks every publishing connection until cleared. */
  memoryAlarm(on: boolean): Promise<void>;
}

/** Fault controls for the broker, or undefined when it is the user's own (AMQP_URL). */
export function faultsFor(handle: BrokerHandle): BrokerFaults | undefined {
  const control = handle.control;
  if (!control) return undefined;
  const stop = async () => {
    await rabbitmqctl(control, ['stop_app']);
  };
  const start = async () => {
    await rabbitmqctl(control, ['start_app']);
    await waitUntilReady(handle, 60_000);
  };
  return {
    stop,
    start,
    async restart() {
      await stop();
      await start();
    },
    async memoryAlarm(on) {
      // A watermark of 1 byte is always exceeded; 1GB is what the harness starts with.
      await rabbitmqctl(control, ['set_vm_memory_high_watermark', 'absolute', on ? '1' : '1GB']);
    },
    async closeAllConnections(vhost) {
      // rabbitmqctl sees connections the moment they open; the management API
      // lists them only after its next statistics round.
      const scope = vhost ? ['-p', vhost] : ['--global'];
      await rabbitmqctl(control, ['close_all_connections', ...scope, 'closed by test-broker']);
    },
  };
}

export function managementFor(handle: BrokerHandle): ManagementClient {
  return new ManagementClient(handle.managementUrl, handle.username, handle.password);
}
