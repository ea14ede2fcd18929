import { spawn } from 'node:child_process';
import { HANDLE_ENV } from './handle.js';
import { locateBroker } from './locate.js';
import { canConnect } from './wait.js';

const log = (line: string) => console.error(`[test-broker] ${line}`);

/**
 * Runs `command` with one broker for all of it: the broker's handle goes to
 * the command (and through turbo to every package's vitest) in TEST_BROKER.
 * The broker stops when the command ends, however it ends.
 */
export async function runWithBroker(command: string[], { ifNone = false } = {}): Promise<number> {
  const [program, ...args] = command;
  if (!program) throw new Error('usage: test-broker run [--if-none] -- <command> [args...]');

  // --if-none: a broker the user already runs (AMQP_URL, or pnpm broker and
  // docker compose on amqp://localhost) is used as it is.
  const reachable = ifNone && (process.env.AMQP_URL !== undefined || (await canConnect(5672)));
  const broker = reachable ? undefined : await locateBroker(log);
  if (broker && ifNone) log(`no broker on amqp://localhost:5672, so this run has its own (${broker.handle.kind})`);
  const env = broker
    ? {
        ...process.env,
        [HANDLE_ENV]: JSON.stringify(broker.handle),
        ...(ifNone ? { AMQP_URL: broker.handle.amqpUrl } : {}),
        ...(ifNone && broker.handle.streamUrl ? { RABBITMQ_STREAM_URL: broker.handle.streamUrl } : {}),
      }
    : process.env;
  const child = spawn(program, args, { stdio: 'inherit', env });
  // Ctrl+C reaches the child through the terminal; we wait for it to finish
  // and then stop the broker, rather than dying first and orphaning it.
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', () => {});
  process.on('SIGTERM', forward);
  const code = await new Promise<number>((resolve) => {
    child.once('error', (error) => {
      log(`could not run ${program}: ${error.message}`);
      resolve(127);
    });
    child.once('exit', (exitCode, signal) => resolve(exitCode ?? (signal === 'SIGINT' ? 130 : 1)));
  });
  await broker?.stop();
  return code;
}
