import type { ChannelModel } from 'amqplib';
import { HEADERS } from '../src/retry/headers.js';
import { resolveUrls } from '../src/url.js';
import { openBroker, queueDepth } from './broker.js';
import { listQueues, type QueueStats } from './management.js';
import { describeDeadLetter, walkQueue } from './peek.js';
import { table } from './table.js';
import { CONNECTION_OPTIONS, countOption, parseOptions } from './usage.js';

export const INSPECT_USAGE = `usage: retry-kit inspect [--queue <name>] [options]

For each work queue: messages ready and unacked, consumers, messages waiting
in delay queues to be retried (by when they are due), and dead letters (by
reason). Takes nothing: waiting messages and dead letters are read and given
back in place. UNACKED and CONSUMERS come from the management API's
statistics, which RabbitMQ refreshes every few seconds.

options:
  --queue <name>            only this work queue
  --prefix <prefix>         the kit's prefix for delay queues (default retry-kit)
  --peek-limit <n>          read at most n messages per delay or dead-letter queue (default 10000)
  --management-url <url>    default RABBITMQ_MANAGEMENT_URL, else http://<amqp host>:15672
  --url <amqp url>          default AMQP_URL, else amqp://localhost
  --json                    machine-readable output`;

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  queue: { type: 'string' },
  prefix: { type: 'string', default: 'retry-kit' },
  'peek-limit': { type: 'string' },
  'management-url': { type: 'string' },
} as const;

/** The kit's own queues, whatever their prefix: delay queues, ladder levels, the unroutable parking queue. */
const KITS_OWN = /\.(delay\.\d+|level\.\d+|unroutable)$/;

const DUE_BUCKETS = [
  ['< 1 min', 60_000],
  ['< 1 h', 3_600_000],
  ['< 1 d', 86_400_000],
  ['later', Number.POSITIVE_INFINITY],
] as const;

export interface QueueReport {
  queue: string;
  ready: number;
  unacked: number;
  consumers: number;
  waiting: Record<string, number>;
  dead: Record<string, number>;
}

export async function inspectCommand(args: string[]): Promise<number> {
  const values = parseOptions(args, OPTIONS);
  if (values.help) {
    console.log(INSPECT_USAGE);
    return 0;
  }
  const peekLimit = countOption(values['peek-limit'], 'peek-limit', 10_000);
  const url = resolveUrls(values.url)[0]!;
  const connection = await openBroker(url);
  try {
    const stats = await listQueues(url, values['management-url']);
    const reports = await inspect(connection, stats, { prefix: values.prefix, only: values.queue, peekLimit });
    if (values.json) console.log(JSON.stringify({ queues: reports }));
    else console.log(render(reports));
  } finally {
    await connection.close();
  }
  return 0;
}

async function inspect(
  connection: ChannelModel,
  stats: QueueStats[],
  { prefix, only, peekLimit }: { prefix: string; only: string | undefined; peekLimit: number },
): Promise<QueueReport[]> {
  const isDelay = (name: string) => name.startsWith(`${prefix}.delay.`) || name.startsWith(`${prefix}.level.`);
  const isWork = (name: string) => !name.endsWith('.dead') && !KITS_OWN.test(name);
  const work = stats.filter((q) => isWork(q.name) && (!only || q.name === only));
  if (only && work.length === 0) work.push({ name: only });
  const reports = new Map<string, QueueReport>();
  for (const q of work) {
    const ready = await queueDepth(connection, q.name);
    reports.set(q.name, {
      queue: q.name,
      ready: ready ?? 0,
      unacked: q.messages_unacknowledged ?? 0,
      consumers: q.consumers ?? 0,
      waiting: {},
      dead: {},
    });
  }
  const now = Date.now();
  for (const q of stats.filter((s) => isDelay(s.name))) {
    // Quorum queues count every give-back as a delivery: read only classic ones.
    if (q.type === 'quorum' || !(await queueDepth(connection, q.name))) continue;
    await walkQueue(connection, q.name, peekLimit, (message) => {
      const headers = (message.properties.headers ?? {}) as Record<string, unknown>;
      const report = reports.get(String(headers[HEADERS.queue]));
      if (!report) return;
      const dueIn = Number(headers[HEADERS.dueAt] ?? now) - now;
      const [bucket] = DUE_BUCKETS.find(([, limit]) => dueIn < limit) ?? DUE_BUCKETS[3];
      report.waiting[bucket] = (report.waiting[bucket] ?? 0) + 1;
    });
  }
  for (const report of reports.values()) {
    const deadQueue = `${report.queue}.dead`;
    if (!(await queueDepth(connection, deadQueue))) continue;
    await walkQueue(connection, deadQueue, peekLimit, (message) => {
      const { reason } = describeDeadLetter(message);
      report.dead[reason] = (report.dead[reason] ?? 0) + 1;
    });
  }
  return [...reports.values()].sort((a, b) => a.queue.localeCompare(b.queue));
}

function summary(counts: Record<string, number>, order?: readonly string[]): string {
  const keys = order ? order.filter((key) => counts[key]) : Object.keys(counts).sort();
  return keys.map((key) => (order ? `${counts[key]} ${key}` : `${key} ${counts[key]}`)).join(', ') || '-';
}

function render(reports: QueueReport[]): string {
  if (reports.length === 0) return 'No work queues.';
  return table(
    ['QUEUE', 'READY', 'UNACKED', 'CONSUMERS', 'WAITING TO RETRY (DUE IN)', 'DEAD (BY REASON)'],
    reports.map((r) => [
      r.queue,
      r.ready,
      r.unacked,
      r.consumers,
      summary(
        r.waiting,
        DUE_BUCKETS.map(([name]) => name),
      ),
      summary(r.dead),
    ]),
  );
}
