import type { QueueSpec, Topology } from '../src/index.js';
import { type DelayOptions, queueArguments, retryTopology } from '../src/tooling.js';
import { UsageError } from './errors.js';
import { table } from './table.js';
import { parseOptions, required } from './usage.js';
import { loadWorkerModule } from './worker-module.js';

export const TOPOLOGY_USAGE = `usage: retry-kit topology --queue <name> [--handlers <module>] [options]

Prints what retry-kit declares to consume <name> with a retry policy: the
dead-letter queue, the delay exchanges and queues, and their bindings. Needs
no broker. --json prints it in the form RabbitClient.declare() takes.

options:
  --queue <name>          the work queue
  --handlers <module>     take the retry policy and delay options from this worker module
  --delays <kind>         queues (one per delay; default) or ladder
  --prefix <prefix>       of the kit's exchanges and queues (default retry-kit)
  --quorum-delays         delay queues as quorum queues (clusters)
  --json                  machine-readable output`;

const OPTIONS = {
  queue: { type: 'string' },
  handlers: { type: 'string' },
  delays: { type: 'string' },
  prefix: { type: 'string' },
  'quorum-delays': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export async function topologyCommand(args: string[]): Promise<number> {
  const values = parseOptions(args, OPTIONS);
  if (values.help) {
    console.log(TOPOLOGY_USAGE);
    return 0;
  }
  const queue = required(values.queue, 'queue');
  if (values.delays !== undefined && values.delays !== 'queues' && values.delays !== 'ladder') {
    throw new UsageError(`--delays must be queues or ladder, not "${values.delays}"`);
  }
  const worker = values.handlers ? await loadWorkerModule(values.handlers) : undefined;
  const options = {
    ...worker?.delays,
    ...(values.delays ? { topology: values.delays } : {}),
    ...(values.prefix ? { prefix: values.prefix } : {}),
    ...(values['quorum-delays'] ? { queueType: 'quorum' } : {}),
  } as DelayOptions;
  const topology = await retryTopology(queue, worker?.retry ?? {}, options);
  console.log(values.json ? JSON.stringify(topology, null, 2) : render(topology, queue));
  return 0;
}

function describeQueue(spec: QueueSpec): string {
  const args = queueArguments(spec).arguments ?? {};
  return Object.entries(args)
    .map(([key, value]) => `${key.replace(/^x-/, '')}=${value}`)
    .join(' ');
}

function render(topology: Topology, queue: string): string {
  const exchanges = (topology.exchanges ?? []).map((e) => [
    e.name,
    e.type,
    [e.alternateExchange ? `alternate-exchange=${e.alternateExchange}` : '', e.autoDelete ? 'auto-delete' : '']
      .filter(Boolean)
      .join(' '),
  ]);
  const queues = (topology.queues ?? []).map((q) => [
    q.name,
    q.type ?? 'classic',
    q.name === queue ? 'the work queue (the worker declares it)' : describeQueue(q),
  ]);
  const bindings = (topology.bindings ?? []).map((b) => [
    b.source,
    'queue' in b ? b.queue : `exchange ${b.exchange}`,
    [b.routingKey ? `key=${b.routingKey}` : '', b.arguments ? JSON.stringify(b.arguments) : '']
      .filter(Boolean)
      .join(' '),
  ]);
  return [
    `Exchanges (${exchanges.length})`,
    table(['NAME', 'TYPE', 'ARGUMENTS'], exchanges),
    '',
    `Queues (${queues.length})`,
    table(['NAME', 'TYPE', 'ARGUMENTS'], queues),
    '',
    `Bindings (${bindings.length})`,
    table(['FROM', 'TO', 'ROUTING'], bindings),
  ].join('\n');
}
