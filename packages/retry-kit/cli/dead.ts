import type { Channel, ChannelModel, GetMessage } from 'amqplib';
import { Presets, SingleBar } from 'cli-progress';
import {
  DEAD_LETTER_REASONS,
  type DeadLetterReason,
  deadLetterQueueOf,
  HEADERS,
  redactUrl,
  resolveUrls,
} from '../src/tooling.js';
import { openBroker, queueDepth } from './broker.js';
import { CommandError, UsageError } from './errors.js';
import { type DeadLetter, describeDeadLetter, walkQueue } from './peek.js';
import { age, shorten, table } from './table.js';
import { beginTransactions } from './transaction.js';
import { CONNECTION_OPTIONS, countOption, parseOptions, required } from './usage.js';

export const DEAD_USAGE = `usage: retry-kit dead <list|replay|purge> --queue <work queue> [options]

  list     show dead letters (id, reason, attempts, age, last error); takes nothing
  replay   move dead letters back to the queue they failed in, attempts reset
  purge    delete dead letters (needs --yes)

options:
  --queue <name>              the work queue; its dead letters are in <name>.dead
  --dead-letter-queue <name>  where they are instead, if the consumer set deadLetterQueue
  --reason <reason>           only these: ${DEAD_LETTER_REASONS.join(', ')}
  --id <message id>           only this message (replay)
  --limit <n>                 at most n (list: 100; replay: all)
  --dry-run                   say what replay would move, move nothing
  --yes                       really delete (purge)
  --url <amqp url>            default AMQP_URL, else amqp://localhost
  --json                      machine-readable output`;

const OPTIONS = {
  ...CONNECTION_OPTIONS,
  queue: { type: 'string' },
  'dead-letter-queue': { type: 'string' },
  reason: { type: 'string' },
  id: { type: 'string' },
  limit: { type: 'string' },
  'dry-run': { type: 'boolean', default: false },
  yes: { type: 'boolean', default: false },
} as const;

type Values = ReturnType<typeof parseOptions<typeof OPTIONS>>;

/** Headers the kit sets while retrying and dead-lettering: a replayed message starts afresh. */
const RETRY_HISTORY = [
  HEADERS.attempts,
  HEADERS.publishedAt,
  HEADERS.firstFailure,
  HEADERS.lastFailure,
  HEADERS.lastError,
  HEADERS.queue,
  HEADERS.reason,
  HEADERS.originalMessageId,
  HEADERS.dueAt,
];

export async function deadCommand(args: string[]): Promise<number> {
  const [action, ...rest] = args;
  if (action === '--help' || action === '-h' || (action !== undefined && rest.includes('--help'))) {
    console.log(DEAD_USAGE);
    return 0;
  }
  const actions = { list, replay, purge };
  const run =
    action !== undefined && Object.hasOwn(actions, action) ? actions[action as keyof typeof actions] : undefined;
  if (!run) throw new UsageError(action ? `unknown dead subcommand "${action}"` : 'dead needs list, replay or purge');
  const values = parseOptions(rest, OPTIONS);
  if (values.reason !== undefined && !DEAD_LETTER_REASONS.includes(values.reason as DeadLetterReason)) {
    throw new UsageError(`--reason must be one of ${DEAD_LETTER_REASONS.join(', ')}, not "${values.reason}"`);
  }
  const queue = required(values.queue, 'queue');
  const limit = values.limit === undefined ? undefined : countOption(values.limit, 'limit', 0);
  const deadLetterQueue = values['dead-letter-queue'] ?? deadLetterQueueOf(queue);
  const connection = await openBroker(values.url);
  try {
    const missing = async (name: string) => (await queueDepth(connection, name)) === undefined;
    if ((await missing(queue)) && (await missing(deadLetterQueue))) {
      const where = redactUrl(resolveUrls(values.url)[0] ?? '');
      throw new CommandError(
        `No queue "${queue}" and no dead-letter queue "${deadLetterQueue}" at ${where}: check --queue.`,
      );
    }
    return await run(connection, { values, queue, deadLetterQueue, limit });
  } finally {
    await connection.close();
  }
}

interface Target {
  values: Values;
  queue: string;
  deadLetterQueue: string;
  /** --limit, when given. */
  limit: number | undefined;
}

const matches = (values: Values, letter: DeadLetter) =>
  (values.reason === undefined || letter.reason === values.reason) &&
  (values.id === undefined || letter.id === values.id);

async function list(
  connection: ChannelModel,
  { values, queue, deadLetterQueue, limit = 100 }: Target,
): Promise<number> {
  const total = (await queueDepth(connection, deadLetterQueue)) ?? 0;
  const shown: DeadLetter[] = [];
  let matched = 0;
  if (total > 0) {
    await walkQueue(connection, deadLetterQueue, total, (message) => {
      const letter = describeDeadLetter(message);
      if (!matches(values, letter)) return;
      matched++;
      if (shown.length < limit) shown.push(letter);
    });
  }
  if (values.json) {
    console.log(JSON.stringify({ queue, deadLetterQueue, total, matched, deadLetters: shown }));
    return 0;
  }
  if (total === 0) {
    console.log(`No dead letters in ${deadLetterQueue}.`);
    return 0;
  }
  const now = Date.now();
  console.log(
    table(
      ['ID', 'REASON', 'ATTEMPTS', 'AGE', 'LAST ERROR'],
      shown.map((l) => [
        l.id ?? '-',
        l.reason,
        l.attempts,
        l.lastFailureAt ? age(now - l.lastFailureAt) : '-',
        shorten(l.lastError, 60),
      ]),
    ),
  );
  const filter = values.reason || values.id ? ` matching ${[values.reason, values.id].filter(Boolean).join(', ')}` : '';
  console.log(`${shown.length} shown of ${matched}${filter}; ${deadLetters(total)} in ${deadLetterQueue}.`);
  return 0;
}

/** Shows progress on a terminal; elsewhere a line every 1,000, so logs show it too. */
function progress(total: number, json: boolean) {
  if (json) return { tick: () => {}, stop: () => {} };
  if (process.stderr.isTTY) {
    const bar = new SingleBar(
      { format: 'replaying [{bar}] {value}/{total}', stream: process.stderr },
      Presets.shades_classic,
    );
    bar.start(total, 0);
    return { tick: () => bar.increment(), stop: () => bar.stop() };
  }
  let done = 0;
  return {
    tick: () => {
      if (++done % 1_000 === 0) console.error(`replayed ${done} of at most ${total}`);
    },
    stop: () => {},
  };
}

async function replay(
  connection: ChannelModel,
  { values, queue, deadLetterQueue, limit = Number.POSITIVE_INFINITY }: Target,
): Promise<number> {
  const total = (await queueDepth(connection, deadLetterQueue)) ?? 0;
  const channel = await connection.createChannel();
  const commit = values['dry-run'] ? async () => {} : await beginTransactions(channel);
  const existing = new Map<string, boolean>();
  const byQueue = new Map<string, number>();
  let missing: string | undefined;
  let pending = 0;
  const bar = progress(Math.min(total, limit), values.json ?? false);

  /** Moves one dead letter back; false when its queue is missing (it stays dead). */
  const replayOne = async (message: GetMessage, letter: DeadLetter): Promise<boolean> => {
    const target = letter.queue ?? queue;
    if (!existing.has(target)) existing.set(target, (await queueDepth(connection, target)) !== undefined);
    if (!existing.get(target)) {
      missing = target; // left dead: a message published to a missing queue would vanish
      return false;
    }
    byQueue.set(target, (byQueue.get(target) ?? 0) + 1);
    if (values['dry-run']) return true;
    publishBack(channel, message, letter, target);
    channel.ack(message);
    bar.tick();
    // Publishes and acks commit together, a hundred at a time: a crash loses no message and moves none twice.
    if (++pending === 100) {
      await commit();
      pending = 0;
    }
    return true;
  };

  let replayed = 0;
  if (total > 0) {
    await walkQueue(
      connection,
      deadLetterQueue,
      total,
      async (message) => {
        const letter = describeDeadLetter(message);
        if (replayed >= limit || !matches(values, letter)) return;
        if (await replayOne(message, letter)) replayed++;
      },
      channel,
    );
  }
  if (pending > 0) await commit();
  bar.stop();
  await channel.close(); // gives back what was not replayed, in place
  const moved = [...byQueue].map(([to, n]) => `${n} to ${to}`).join(', ');
  if (values.json) {
    console.log(
      JSON.stringify({
        deadLetterQueue,
        dryRun: values['dry-run'],
        replayed,
        byQueue: Object.fromEntries(byQueue),
        missingQueue: missing ?? null,
      }),
    );
  } else if (replayed === 0 && !missing) {
    console.log(`Nothing to replay in ${deadLetterQueue}.`);
  } else {
    console.log(
      `${values['dry-run'] ? 'Would replay' : 'Replayed'} ${deadLetters(replayed)} from ${deadLetterQueue}${moved ? `: ${moved}` : ''}.`,
    );
  }
  if (missing) {
    console.error(
      `Queue "${missing}" does not exist: its dead letters stay in ${deadLetterQueue}. Declare it (start its consumer), then replay again.`,
    );
    return 1;
  }
  return 0;
}

function publishBack(channel: Channel, message: GetMessage, letter: DeadLetter, target: string) {
  const headers = { ...((message.properties.headers ?? {}) as Record<string, unknown>) };
  for (const name of RETRY_HISTORY) delete headers[name];
  headers[HEADERS.replays] = letter.replays + 1;
  // A deadline counts from here: a replay is a fresh start, not one last try.
  headers[HEADERS.publishedAt] = Date.now();
  const { properties } = message;
  channel.sendToQueue(target, message.content, {
    persistent: true,
    headers,
    ...(letter.id ? { messageId: letter.id } : {}),
    ...(properties.contentType ? { contentType: properties.contentType } : {}),
    ...(properties.contentEncoding ? { contentEncoding: properties.contentEncoding } : {}),
    ...(properties.type ? { type: properties.type } : {}),
    ...(properties.correlationId ? { correlationId: properties.correlationId } : {}),
    ...(properties.timestamp ? { timestamp: properties.timestamp } : {}),
  });
}

async function purge(connection: ChannelModel, { values, deadLetterQueue }: Target): Promise<number> {
  const total = (await queueDepth(connection, deadLetterQueue)) ?? 0;
  let matched = 0;
  if (total > 0) {
    await walkQueue(connection, deadLetterQueue, total, (message, channel) => {
      if (!matches(values, describeDeadLetter(message))) return;
      matched++;
      if (values.yes) channel.ack(message);
    });
  }
  if (values.json) {
    console.log(JSON.stringify({ deadLetterQueue, deleted: values.yes ? matched : 0, matched }));
  } else if (values.yes) {
    console.log(`Deleted ${deadLetters(matched)} from ${deadLetterQueue}.`);
  } else {
    console.log(`${deadLetters(matched)} in ${deadLetterQueue} would be deleted. Add --yes to delete them.`);
  }
  return values.yes || matched === 0 ? 0 : 2;
}

function deadLetters(count: number): string {
  return `${count} dead letter${count === 1 ? '' : 's'}`;
}
