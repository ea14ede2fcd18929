// The demo of steps 3-5: receivers with different bindings side by side,
// logs emitted one by one (each by the step's emitter, as a reader would),
// then a table of which log reached which receiver.
import { connectOrExit } from 'retry-kit';
import { startProgram } from './program.js';
import { whoGotWhat } from './table.js';

export interface LogDemo {
  exchange: string;
  /** The step's programs, e.g. new URL('./emit_log_direct.ts', import.meta.url). */
  emitter: URL;
  receiver: URL;
  /** Each receiver's binding keys (its command-line arguments). */
  receivers: { name: string; bindings: string[] }[];
  /** Emitted before any receiver is bound: the log nobody gets. */
  before?: string[];
  /** The emitter's arguments for each log, e.g. ['error', 'disk full']. */
  logs: string[][];
  /** How a receiver prints a log it got, from the emitter's arguments. */
  printedAs: (args: string[]) => string;
}

const END = 'end-of-demo';

/** A routing key that a binding key matches: `*` and `#` stand for one word. */
export function keyMatching(binding: string): string {
  return binding.replaceAll('*', END).replaceAll('#', END);
}

async function emit(demo: LogDemo, args: string[]): Promise<void> {
  const emitter = startProgram(demo.emitter, args, demo.emitter.pathname.replace(/.*\/|\.ts$/g, ''));
  const code = await emitter.exited;
  if (code !== 0) throw new Error(`the emitter exited ${code}`);
}

export async function runLogDemo(demo: LogDemo): Promise<void> {
  if (demo.before) await emit(demo, demo.before);
  const receivers = demo.receivers.map((receiver) => ({
    ...receiver,
    program: startProgram(demo.receiver, receiver.bindings, receiver.name, { hide: END }),
  }));
  for (const { program } of receivers) await program.printed('Waiting for logs');
  for (const log of demo.logs) {
    // The receivers' lines wait until the emitter's confirm is shown, to read in order.
    for (const { program } of receivers) program.hold();
    await emit(demo, log);
    for (const { program } of receivers) program.release();
  }

  // A last message to each receiver, after the logs: a queue delivers in
  // order, so once it arrives, every log routed to that receiver has too.
  const rabbit = await connectOrExit({ rabbitmqctl: 'pnpm rabbitmqctl' });
  const { channel } = await rabbit.setupChannel(async () => {}, { confirm: true });
  for (const { bindings } of receivers)
    channel.publish(demo.exchange, keyMatching(bindings[0] ?? ''), Buffer.from(END));
  await channel.waitForConfirms();
  await rabbit.close();
  for (const { program } of receivers) await program.printed(END);

  for (const { program } of receivers) program.stop();
  const codes = await Promise.all(receivers.map(({ program }) => program.exited));
  const rows = [...(demo.before ? [demo.before] : []), ...demo.logs];
  const table = whoGotWhat(
    'log (emitter arguments)',
    rows.map((args) => args.join(' ')),
    receivers.map(({ name, bindings }) => bindings.join(' ') || name),
    (row, column) => receivers[column]!.program.lines.includes(demo.printedAs(rows[row]!)),
  );
  console.log(`\n${table}`);
  process.exitCode = codes.every((code) => code === 0) ? 0 : 1;
}
