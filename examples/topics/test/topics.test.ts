import { type Program, stepPrograms } from 'test-broker';
import { useTestVhost } from 'test-broker/vitest';
import { describe, expect, it } from 'vitest';

const broker = await useTestVhost('topics');
const env = { AMQP_URL: broker.amqpUrl };

const { program, official } = stepPrograms(import.meta.url, env);

async function receiver(patterns: string[]): Promise<Program> {
  const started = program('receive_logs_topic', patterns);
  await started.line('Waiting for logs');
  return started;
}

async function emit(key: string, text = key): Promise<void> {
  const emitter = program('emit_log_topic', [key, text]);
  expect(await emitter.exit()).toEqual({ code: 0, signal: null });
  expect(emitter.output).toEqual([` [x] Sent ${key}: '${text}'`]);
}

/** The routing keys of the logs a receiver printed, in order. */
const keys = (started: Program) => started.output.flatMap((line) => /^ \[x\] (\S+): /.exec(line)?.[1] ?? []);

describe('topics: a topic exchange', () => {
  it('start shows who got which log under kern.*, kern.#, *.critical and #', async () => {
    const demo = program('start');
    expect(await demo.exit()).toEqual({ code: 0, signal: null });
    const table = demo.output.slice(demo.output.findIndex((line) => line.includes('log (emitter arguments)')) + 1);
    expect(table.map((line) => line.trim().split(/ {2,}/))).toEqual([
      ['kern.critical out of memory', 'yes', 'yes', 'yes', 'yes'],
      ['kern.disk.full no space left on /', '-', 'yes', '-', 'yes'],
      ['auth.critical root login from afar', '-', '-', 'yes', 'yes'],
      ['auth.info a user logged in', '-', '-', '-', 'yes'],
    ]);
  });

  it('kern.* matches kern.critical but not kern.disk.full; kern.# matches both', async () => {
    const oneWord = await receiver(['kern.*']);
    const anyWords = await receiver(['kern.#']);

    await emit('kern.disk.full');
    await emit('kern.critical');

    // A queue delivers in order: kern.critical coming first means kern.disk.full never came.
    await oneWord.line('kern.critical');
    expect(keys(oneWord)).toEqual(['kern.critical']);
    await anyWords.line('kern.critical');
    expect(keys(anyWords)).toEqual(['kern.disk.full', 'kern.critical']);
  });

  it('# alone gets every log, like fanout; a pattern without wildcards only its own key, like direct', async () => {
    const everything = await receiver(['#']);
    const exact = await receiver(['auth.info']);

    for (const key of ['auth.critical', 'x', 'a.b.c.d', 'auth.info']) await emit(key);

    await everything.line('auth.info');
    expect(keys(everything)).toEqual(['auth.critical', 'x', 'a.b.c.d', 'auth.info']);
    await exact.line('auth.info');
    expect(keys(exact)).toEqual(['auth.info']);
  });

  it('a receiver with several patterns gets a log matching two of them once', async () => {
    const started = await receiver(['*.critical', 'kern.*']);
    await emit('kern.critical');
    await emit('auth.critical');
    await started.line('auth.critical');
    expect(keys(started)).toEqual(['kern.critical', 'auth.critical']);
  });

  it("the official tutorial's emit_log_topic.py (pika) reaches our receive_logs_topic", async () => {
    const started = await receiver(['*.critical']);
    expect((await (await official('emit_log_topic', ['kern.info', 'not this'])).exit()).code).toBe(0);
    expect((await (await official('emit_log_topic', ['kern.critical', 'from Python'])).exit()).code).toBe(0);
    await started.line('from Python');
    expect(started.output.filter((line) => line.startsWith(' [x]'))).toEqual([" [x] kern.critical: 'from Python'"]);
  });

  it("our emit_log_topic reaches the official tutorial's receive_logs_topic.py (pika)", async () => {
    const started = await official('receive_logs_topic', ['kern.#']);
    await started.line('Waiting for logs');
    await emit('auth.info', 'not this');
    await emit('kern.disk.full', 'from Node');
    expect(await started.line('from Node')).toBe(' [x] kern.disk.full:from Node');
    expect(started.output.filter((line) => line.startsWith(' [x]'))).toEqual([' [x] kern.disk.full:from Node']);
  });
});
