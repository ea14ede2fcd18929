// Sends 100 messages to the stream "stream-offset-tracking-javascript", the
// last one "marker", and exits once the broker has confirmed every one.
// Run: pnpm --filter streams offset_tracking_send
import { closeOnSignals, connectToStreams } from './stream-client.js';

const stream = 'stream-offset-tracking-javascript';
const count = 100;

const client = await connectToStreams();
closeOnSignals(client);
await client.createStream({ stream, arguments: {} });
const publisher = await client.declarePublisher({ stream });

let unconfirmed = count;
const confirmed = new Promise<void>((resolve, reject) => {
  // One callback may confirm several messages: the ids of all of them.
  publisher.on('publish_confirm', (error, ids) => {
    if (error !== null) reject(new Error(`the broker refused ${ids.length} message(s) (code ${error})`));
    unconfirmed -= ids.length;
    if (unconfirmed === 0) resolve();
  });
});
for (let i = 0; i < count; i++) {
  await publisher.send(Buffer.from(i === count - 1 ? 'marker' : `hello ${i}`));
}
await publisher.flush();
await confirmed;
console.log(` [x] Sent ${count} messages, the last one 'marker'`);

await client.close();
