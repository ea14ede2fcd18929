// Sends one message to the stream "hello-nodejs-stream", and exits once the
// broker has confirmed it. Run: pnpm --filter streams send "Test message"
import { closeOnSignals, connectToStreams } from './stream-client.js';

const stream = 'hello-nodejs-stream';
const text = process.argv[2] ?? 'Test message';

const client = await connectToStreams();
closeOnSignals(client);
// Declared as the official tutorial declares it: a stream keeps its messages
// after they are read, here up to 5 GB, then drops the oldest.
await client.createStream({ stream, arguments: { 'max-length-bytes': 5e9 } });
const publisher = await client.declarePublisher({ stream });

// The broker confirms each message by its publishing id once it has it; the
// official program exits without waiting, and can lose the message.
const confirmed = new Promise<void>((resolve, reject) => {
  publisher.on('publish_confirm', (error) =>
    error === null ? resolve() : reject(new Error(`the broker refused the message (code ${error})`)),
  );
});
await publisher.send(Buffer.from(text));
await confirmed;
console.log(` [x] Sent '${text}'`);

await client.close();
