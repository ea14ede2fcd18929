// Reads "stream-offset-tracking-javascript" from just after the last offset it
// stored (from the first message on its first run) up to the next "marker",
// storing its offset as it goes, so a restart resumes where it stopped.
// Run: pnpm --filter streams offset_tracking_receive
import { setTimeout as sleep } from 'node:timers/promises';
import { Offset } from 'rabbitmq-stream-js-client';
import { connectToStreams } from './stream-client.js';

const stream = 'stream-offset-tracking-javascript';
// The name the broker stores this reader's offset under, in the stream itself.
const consumerRef = 'offset-tracking-tutorial';
// Pretend each message takes this long, to watch a restart resume.
const WORK_MS = Number(process.env.WORK_MS ?? 0);

const client = await connectToStreams();
await client.createStream({ stream, arguments: {} });

// Asking for an offset never stored is an error (code 19): then start from the first.
const stored = await client.queryOffset({ reference: consumerRef, stream }).catch((error: Error) => {
  if (!error.message.endsWith('code 19')) throw error;
  return undefined;
});
const offset = stored === undefined ? Offset.first() : Offset.offset(stored + 1n);

let first: bigint | undefined;
let last: bigint | undefined;
let handled = 0;
let stopping = false;
let working = Promise.resolve();

const consumer = await client.declareConsumer({ stream, offset, consumerRef }, (message) => {
  if (stopping) return; // not handled, so not stored: read again next time
  working = (async () => {
    await sleep(WORK_MS);
    first ??= message.offset;
    last = message.offset;
    handled++;
    // Every 10 messages: a crash reads again at most the 9 handled since.
    if (handled % 10 === 0) {
      await consumer.storeOffset(last);
      console.log(` [x] Stored offset ${last}`);
    }
    if (message.content.toString() === 'marker') void stop('Marker found');
  })();
  return working;
});

/** Finishes the message in hand, stores the last offset handled, and closes. */
async function stop(why: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  await working;
  if (last !== undefined) await consumer.storeOffset(last);
  console.log(`${why}: ${handled} messages, first offset ${first ?? '-'}, last offset ${last ?? '-'}`);
  await client.close();
}

process.once('SIGINT', () => void stop('Stopped'));
process.once('SIGTERM', () => void stop('Stopped'));
console.log(` [*] Reading from ${stored === undefined ? 'the first message' : `offset ${stored + 1n}`}`);
