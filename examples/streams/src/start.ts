// pnpm --filter streams start: messages stay in a stream after they are read,
// so two readers from the first message both get everything and a reader
// from "next" only what comes after it; then a reader that stores its offset
// stops halfway and, started again, goes on from there.
import { type StepProgram, startProgram } from 'step-demo';
import { connectToStreams, tooOldForStreams, tooOldLine } from './stream-client.js';

const old = await tooOldForStreams();
if (old) {
  // Skipped, not failed: docs/08 says which brokers run this step.
  console.log(tooOldLine(old));
  process.exit(0);
}

// A fresh start, so the offsets below are the same on every run.
const client = await connectToStreams();
for (const stream of ['hello-nodejs-stream', 'stream-offset-tracking-javascript']) {
  await client.deleteStream({ stream }).catch(() => undefined); // not there yet
}
await client.close();

const program = (file: string, args: string[], name = file, env: Record<string, string> = {}) =>
  startProgram(new URL(`./${file}.ts`, import.meta.url), args, name, { env });
/** Waits until `started` exits; if it failed, says so in one line (its own lines above say why) and stops. */
const ran = async (started: StepProgram) => {
  const code = await started.exited;
  if (code === 0) return;
  console.error(`${started.name} exited ${code}, so the demo stops here.`);
  process.exit(1);
};

await ran(program('send', ['one']));
await ran(program('send', ['two']));
const readers = [program('receive', ['first'], 'receive first'), program('receive', ['first'], 'receive first (2)')];
for (const reader of readers) await reader.printed("Received 'two'");
const next = program('receive', ['next'], 'receive next');
await next.printed('Waiting for messages');
await ran(program('send', ['three']));
for (const reader of [...readers, next]) await reader.printed("Received 'three'");
for (const reader of [...readers, next]) reader.stop();
await Promise.all([...readers, next].map((reader) => reader.exited));

console.log('\nOffset tracking: a reader stopped halfway goes on where it stopped.\n');
await ran(program('offset_tracking_send', []));
const slow = program('offset_tracking_receive', [], 'offset_tracking_receive', { WORK_MS: '20' });
await slow.printed('Stored offset 39');
slow.stop();
await ran(slow);
await ran(program('offset_tracking_receive', []));
