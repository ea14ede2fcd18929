import { type Program, runProgram } from 'test-broker';
import type { TestBroker } from 'test-broker/vitest';

const BIN = new URL('../cli/run.ts', import.meta.url);

/** Runs `retry-kit <args>` as a user would, against the test vhost, and waits for it to exit. */
export async function retryKit(broker: TestBroker, args: string[], env: Record<string, string> = {}) {
  const program = startRetryKit(broker, args, env);
  const { code } = await program.exit();
  return { code, output: program.output, text: program.output.join('\n') };
}

export function startRetryKit(broker: TestBroker, args: string[], env: Record<string, string> = {}): Program {
  const management = new URL(broker.handle.managementUrl);
  management.username = encodeURIComponent(broker.handle.username);
  management.password = encodeURIComponent(broker.handle.password);
  return runProgram(BIN, args, {
    AMQP_URL: broker.amqpUrl,
    RABBITMQ_MANAGEMENT_URL: management.href,
    ...env,
  });
}
