// Prints every message that arrives on the queue "hello", until Ctrl+C.
// Run: pnpm --filter hello-world receive
import { connectOrExit } from 'retry-kit';

// Also closes cleanly on Ctrl+C: stops consuming, finishes the message in hand.
const rabbit = await connectOrExit({ hint: 'Start one with: pnpm broker' });

await rabbit.declare({ queues: [{ name: 'hello' }] });

console.log(' [*] Waiting for messages. To exit press CTRL+C');
// The message is acked when this function returns, and only then removed
// from the queue.
await rabbit.consume<{ text: string }>('hello', ({ text }) => {
  console.log(` [x] Received '${text}'`);
});
