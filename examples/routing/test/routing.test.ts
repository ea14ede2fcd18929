import { type Program, stepPrograms } from 'test-broker';
import { useTestVhost } from 'test-broker/vitest';
import { describe, expect, it } from 'vitest';

const broker = await useTestVhost('routing');
const env = { AMQP_URL: broker.amqpUrl };

const { program, official } = stepPrograms(import.meta.url, env);

async function receiver(severities: string[]): Promise<Program> {
  const started = program('receive_logs_direct', severities);
  await started.line('Waiting for logs');
  return started;
}

async function emit(severity: string, text: string): Promise<void> {
  const emitter = program('emit_log_direct', [severity, text]);
  expect(await emitter.exit()).toEqual({ code: 0, signal: null });
  expect(emitter.output).toEqual([` [x] Sent ${severity}: '${text}'`]);
}

/** The logs a receiver printed, in order. */
const logs = (started: Program) => started.output.filter((line) => line.startsWith(' [x] '));

describe('routing: a direct exchange', () => {
  it('start shows who got which log: error to both receivers, info and warning to one, debug to none', async () => {
    const demo = program('start');
    expect(await demo.exit()).toEqual({ code: 0, signal: null });
    const table = demo.output.slice(demo.output.findIndex((line) => line.includes('log (emitter arguments)')) + 1);
    expect(table.map((line) => line.trim().split(/ {2,}/))).toEqual([
      ['info the shop opened', '-', 'yes'],
      ['warning paper is low', '-', 'yes'],
      ['error the printer is jammed', 'yes', 'yes'],
      ['debug nobody binds debug', '-', '-'],
    ]);
  });

  it('a receiver bound to error gets no info; one bound to info and error gets both, and no warning', async () => {
    const errors = await receiver(['error']);
    const both = await receiver(['info', 'error']);

    await emit('info', 'all good');
    await emit('warning', 'paper is low');
    await emit('error', 'jammed');

    // A queue delivers in order: the error coming first means the others never came.
    await errors.line('jammed');
    expect(logs(errors)).toEqual([" [x] error: 'jammed'"]);
    await both.line('jammed');
    expect(logs(both)).toEqual([" [x] info: 'all good'", " [x] error: 'jammed'"]);
  });

  it('two receivers bound to the same severity each get a copy', async () => {
    const first = await receiver(['warning']);
    const second = await receiver(['warning']);
    await emit('warning', 'to both');
    for (const started of [first, second]) expect(await started.line('to both')).toBe(" [x] warning: 'to both'");
  });

  it('receive_logs_direct without a severity says how to call it, and exits 1', async () => {
    const started = program('receive_logs_direct');
    expect(await started.exit()).toEqual({ code: 1, signal: null });
    expect(started.output).toEqual(['Usage: receive_logs_direct [info] [warning] [error]']);
  });

  it("the official tutorial's emit_log_direct.py (pika) reaches our receive_logs_direct", async () => {
    const started = await receiver(['error']);
    expect((await (await official('emit_log_direct', ['info', 'not this'])).exit()).code).toBe(0);
    expect((await (await official('emit_log_direct', ['error', 'from Python'])).exit()).code).toBe(0);
    await started.line('from Python');
    expect(logs(started)).toEqual([" [x] error: 'from Python'"]);
  });

  it("our emit_log_direct reaches the official tutorial's receive_logs_direct.py (pika)", async () => {
    const started = await official('receive_logs_direct', ['warning']);
    await started.line('Waiting for logs');
    await emit('info', 'not this');
    await emit('warning', 'from Node');
    expect(await started.line('from Node')).toBe(' [x] warning:from Node');
    expect(logs(started)).toEqual([' [x] warning:from Node']);
  });
});
