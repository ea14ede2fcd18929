import { closeOnSignals, connect, consoleLogger } from '../src/index.js';
import { CONNECTION_OPTIONS, countOption, parseOptions, required } from './usage.js';
import { loadWorkerModule } from './worker-module.js';

export const WORKER_USAGE = `usage: retry-kit worker --queue <name> --handlers <module> [options]

Consumes <name> (declared durable if missing) with the handlers and retry
policy the module exports, until Ctrl+C or SIGTERM, which finish the
messages in hand first.

The module exports "handlers" (a function, or an object of functions by
message type) and optionally "retry" (a retry policy), "prefetch",
"breaker" and "maxRedeliveries" (retry-kit's consume options) and "delays"
(retry-kit's connect option). A breaker's state changes are logged.

options:
  --queue <name>        the work queue
  --handlers <module>   a .ts or .js file
  --prefetch <n>        messages in hand at once (default: the module's, else 10)
  --url <amqp url>      default AMQP_URL, else amqp://localhost`;

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  queue: { type: 'string' },
  handlers: { type: 'string' },
  prefetch: { type: 'string' },
} as const;

export async function workerCommand(args: string[]): Promise<number> {
  const values = parseOptions(args, OPTIONS);
  if (values.help) {
    console.log(WORKER_USAGE);
    return 0;
  }
  const queue = required(values.queue, 'queue');
  const worker = await loadWorkerModule(required(values.handlers, 'handlers'));
  const prefetch = countOption(values.prefetch, 'prefetch', worker.prefetch ?? 10);
  const rabbit = await connect({
    ...(values.url ? { url: values.url } : {}),
    logger: consoleLogger,
    ...(worker.delays ? { delays: worker.delays } : {}),
  });
  await rabbit.declare({ queues: [{ name: queue }] });
  await rabbit.consume(queue, worker.handlers as never, {
    prefetch,
    ...(worker.retry ? { retry: worker.retry } : {}),
    ...(worker.breaker ? { breaker: worker.breaker } : {}),
    ...(worker.maxRedeliveries !== undefined ? { maxRedeliveries: worker.maxRedeliveries } : {}),
  });
  const types = typeof worker.handlers === 'function' ? 'every message' : Object.keys(worker.handlers).join(', ');
  console.log(`worker consuming "${queue}" (${types}); Ctrl+C to stop`);
  closeOnSignals(rabbit, { logger: consoleLogger });
  // Runs until a signal: closeOnSignals exits the process.
  return new Promise<number>(() => {});
}
