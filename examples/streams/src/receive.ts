// Reads the stream "hello-nodejs-stream" until Ctrl+C, from where you say:
// first (the default), last, next, an offset, or a time.
// Run: pnpm --filter streams receive [first|last|next|<offset>|<2026-12-02T10:00:00Z>]
import { closeOnSignals, connectToStreams, offsetFrom } from './stream-client.js';

const stream = 'hello-nodejs-stream';
const from = process.argv[2] ?? 'first';
const offset = offsetFrom(from);
if (!offset) {
  console.error('Usage: receive [first|last|next|<offset>|<time, e.g. 2026-12-02T10:00:00Z>]');
  process.exit(1);
}

const client = await connectToStreams();
closeOnSignals(client);
await client.createStream({ stream, arguments: { 'max-length-bytes': 5e9 } });
// Reading takes nothing away: every reader, now or later, can read it all again.
await client.declareConsumer({ stream, offset }, (message) => {
  console.log(` [x] Received '${message.content.toString()}' (offset ${message.offset})`);
});
console.log(` [*] Waiting for messages from ${from}. To exit press CTRL+C`);
