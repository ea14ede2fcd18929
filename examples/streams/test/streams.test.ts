import { type Program, stepPrograms } from 'test-broker';
import { useTestVhost } from 'test-broker/vitest';
import { describe, expect, it } from 'vitest';
import { streamUrl, tooOldForStreams } from '../src/stream-client.js';

const broker = await useTestVhost('streams');
const { program } = stepPrograms(import.meta.url, {
  AMQP_URL: broker.amqpUrl,
  ...(broker.streamUrl ? { RABBITMQ_STREAM_URL: broker.streamUrl } : {}),
});
const old = await tooOldForStreams(broker.amqpUrl);

async function ran(started: Program): Promise<string[]> {
  expect(await started.exit()).toEqual({ code: 0, signal: null });
  return started.output;
}

/** What a reader printed for each message, in order. */
const received = (reader: Program) => reader.output.filter((line) => line.startsWith(' [x] Received'));

/** The closing line of offset_tracking_receive, as numbers. */
function summary(reader: Program) {
  const line = reader.output.find((text) => /^(Marker found|Stopped): /.test(text));
  const [, why, messages, first, last] =
    /^(.*): (\d+) messages, first offset (\S+), last offset (\S+)$/.exec(line ?? '') ?? [];
  return { why, messages: Number(messages), first: Number(first), last: Number(last) };
}

it("finds the stream port in RABBITMQ_STREAM_URL, or else on AMQP_URL's host, with its user and vhost, at 5552", () => {
  expect(String(streamUrl({ RABBITMQ_STREAM_URL: 'rabbitmq-stream://a:b@h:1/v', AMQP_URL: 'amqp://x' }))).toBe(
    'rabbitmq-stream://a:b@h:1/v',
  );
  expect(String(streamUrl({ AMQP_URL: 'amqp://u:p@rabbit.example:5673/shop' }))).toBe(
    'rabbitmq-stream://u:p@rabbit.example:5552/shop',
  );
  expect(String(streamUrl({}))).toBe('rabbitmq-stream://localhost:5552');
});

it('a refused stream login is one line without the password, and exit 1 (the client throws it where connect cannot catch it)', async () => {
  const url = streamUrl({ AMQP_URL: broker.amqpUrl, RABBITMQ_STREAM_URL: broker.streamUrl });
  url.password = 'not-the-password';
  // AMQP_URL where nothing answers: the version check gives up, and the stream login is tried on any broker.
  const run = program('send', ['refused'], { AMQP_URL: 'amqp://127.0.0.1:1', RABBITMQ_STREAM_URL: String(url) });
  expect(await run.exit()).toEqual({ code: 1, signal: null });
  url.password = '***';
  expect(run.output).toEqual([
    `[streams] RabbitMQ at ${url} refused user "${decodeURIComponent(url.username)}": wrong user name or password. Check RABBITMQ_STREAM_URL.`,
  ]);
});

if (old) {
  // Debian bookworm's RabbitMQ 3.10: the compatibility legs run the tests below on 4.0.
  describe(`streams on RabbitMQ ${old}, older than the stream client needs`, () => {
    it('each program says so in one line and exits 1; start says the same line and exits 0 (the step is skipped)', async () => {
      const line = `[streams] This step needs RabbitMQ 3.11 or newer (its stream client does); the broker is ${old}. Docker users: docker compose up -d runs 4.1.`;
      for (const name of ['send', 'receive', 'offset_tracking_send', 'offset_tracking_receive']) {
        const run = program(name);
        expect(await run.exit()).toEqual({ code: 1, signal: null });
        expect(run.output).toEqual([line]);
      }
      expect(await ran(program('start'))).toEqual([line]);
    });
  });
} else {
  describe('streams', () => {
    it('a message stays after it is read: two readers from first both get all, a reader from next only what comes after', async () => {
      await ran(program('send', ['one']));
      await ran(program('send', ['two']));
      const readers = [program('receive', ['first']), program('receive', ['first'])];
      for (const reader of readers) await reader.line("Received 'two'");
      const next = program('receive', ['next']);
      await next.line('Waiting for messages');
      await ran(program('send', ['three']));
      for (const reader of [...readers, next]) await reader.line("Received 'three'");

      for (const reader of readers) {
        expect(received(reader)).toEqual([
          " [x] Received 'one' (offset 0)",
          " [x] Received 'two' (offset 1)",
          " [x] Received 'three' (offset 2)",
        ]);
      }
      expect(received(next)).toEqual([" [x] Received 'three' (offset 2)"]);
    });

    it('a reader can start at an offset, or at the last message', async () => {
      // The stream holds one, two, three from the test before (one file, one vhost).
      const fromOne = program('receive', ['1']);
      await fromOne.line("Received 'three'");
      expect(received(fromOne)).toEqual([" [x] Received 'two' (offset 1)", " [x] Received 'three' (offset 2)"]);
      const last = program('receive', ['last']);
      await last.line("Received 'three'");
      expect(received(last)).toEqual([" [x] Received 'three' (offset 2)"]);
    });

    it('receive with an offset it cannot read says how to call it, and exits 1', async () => {
      const run = program('receive', ['yesterday']);
      expect(await run.exit()).toEqual({ code: 1, signal: null });
      expect(run.output).toEqual(['Usage: receive [first|last|next|<offset>|<time, e.g. 2026-12-02T10:00:00Z>]']);
    });

    it('offset tracking: a second run reads exactly the messages sent since the first, none twice, none skipped', async () => {
      await ran(program('offset_tracking_send'));
      const first = program('offset_tracking_receive');
      await ran(first);
      expect(summary(first)).toEqual({ why: 'Marker found', messages: 100, first: 0, last: 99 });

      await ran(program('offset_tracking_send'));
      const second = program('offset_tracking_receive');
      await ran(second);
      // Stored offsets are records of the stream too: the second batch starts a few offsets later.
      expect(second.output[0]).toBe(' [*] Reading from offset 100');
      expect(summary(second)).toMatchObject({ why: 'Marker found', messages: 100 });
    });

    it('a reader stopped halfway (Ctrl+C) stores where it stopped; started again, it goes on from the next message', async () => {
      await ran(program('offset_tracking_send'));
      const stopped = program('offset_tracking_receive', [], { WORK_MS: '50' });
      await stopped.line(' [x] Stored offset');
      stopped.child.kill('SIGINT');
      await ran(stopped);
      const before = summary(stopped);
      expect(before.why).toBe('Stopped');

      const resumed = program('offset_tracking_receive');
      await ran(resumed);
      expect(resumed.output[0]).toBe(` [*] Reading from offset ${before.last + 1}`);
      // The two runs handled the batch of 100 between them, each message once.
      expect(summary(resumed)).toMatchObject({ why: 'Marker found', messages: 100 - before.messages });
    });

    it('a reader killed halfway reads again from the last offset it stored: at least once', async () => {
      await ran(program('offset_tracking_send'));
      const killed = program('offset_tracking_receive', [], { WORK_MS: '50' });
      const stored = Number(/\d+$/.exec(await killed.line(' [x] Stored offset'))![0]);
      killed.child.kill('SIGKILL');
      await killed.exit();

      const resumed = program('offset_tracking_receive');
      await ran(resumed);
      expect(resumed.output[0]).toBe(` [*] Reading from offset ${stored + 1}`);
      expect(summary(resumed)).toMatchObject({ why: 'Marker found', first: stored + 1 });
    });
  });
}
