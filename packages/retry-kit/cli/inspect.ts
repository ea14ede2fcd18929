import type { ChannelModel } from 'amqplib';
import { deadLetterQueueOf, HEADERS, redactUrl, resolveUrls } from '../src/tooling.js';
import { openBroker, queueDepth } from './broker.js';
import { CommandError, UsageError } from './errors.js';
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
  --dead-letter-queue <q>   its dead letters are here, not in <name>.dead (the consumer's deadLetterQueue)
  --prefix <prefix>         the kit's prefix for delay queues (default retry-kit)
  --peek-limit <n>          read at most n messages per delay or dead-letter queue (default 10000)
  --management-url <url>    default RABBITMQ_MANAGEMENT_URL, else http://<amqp host>:15672
  --url <amqp url>          default AMQP_URL, else amqp://localhost
  --json                    machine-readable output`;

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  queue: { type: 'string' },
  'dead-letter-queue': { type: 'string' },
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

interface InspectOptions {
  prefix: string;
  /** Only this work queue. */
  only: string | undefined;
  /** The dead-letter queue of `only`, when its consumer names one. */
  deadLetterQueue: string | undefined;
  peekLimit: number;
}

export async function inspectCommand(args: string[]): Promise<number> {
  const values = parseOptions(args, OPTIONS);
  if (values.help) {
    console.log(INSPECT_USAGE);
    return 0;
  }
  const peekLimit = countOption(values['peek-limit'], 'peek-limit', 10_000);
  if (values['dead-letter-queue'] !== undefined && values.queue === undefined) {
    throw new UsageError('--dead-letter-queue names the dead-letter queue of one --queue: give --queue too');
  }
  const url = resolveUrls(values.url)[0]!;
  const connection = await openBroker(url);
  try {
    const stats = await listQueues(url, values['management-url']);
    if (values.queue !== undefined && (await queueDepth(connection, values.queue)) === undefined) {
      throw new CommandError(
        `No queue "${values.queue}" at ${redactUrl(url)}: check the name (retry-kit inspect lists them all).`,
      );
    }
    const reports = await inspect(connection, stats, {
      prefix: values.prefix,
      only: values.queue,
      deadLetterQueue: values['dead-letter-queue'],
      peekLimit,
    });
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
  { prefix, only, deadLetterQueue, peekLimit }: InspectOptions,
): Promise<QueueReport[]> {
  const deadLetterQueueOfWork = (queue: string) => (queue === only && deadLetterQueue) || deadLetterQueueOf(queue);
  const deadLetterQueues = new Set(stats.map((q) => deadLetterQueueOf(q.name)).concat(deadLetterQueue ?? []));
  const isDelay = (name: string) => name.startsWith(`${prefix}.delay.`) || name.startsWith(`${prefix}.level.`);
  const isWork = (name: string) => !deadLetterQueues.has(name) && !KITS_OWN.test(name);
  const work = stats.filter((q) => isWork(q.name) && (!only || q.name === only));
  // Declared a moment ago, the queue can be missing from the management API's statistics.
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
    const deadQueue = deadLetterQueueOfWork(report.queue);
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
