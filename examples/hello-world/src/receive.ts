// Prints every message that arrives on the queue "hello", until Ctrl+C.
// Run: pnpm --filter hello-world receive
import { connectOrExit } from 'retry-kit';

const queue = 'hello';

// Ctrl+C (or SIGTERM) cancels the consumer and closes the connection cleanly.
const rabbit = await connectOrExit({ hint: 'Start one with: pnpm broker', rabbitmqctl: 'pnpm rabbitmqctl' });

// Runs again on a new channel if the connection drops and comes back.
await rabbit.setupChannel(async (channel) => {
  // Both programs declare the queue: whichever starts first creates it.
  await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
  console.log(' [*] Waiting for messages. To exit press CTRL+C');
  await channel.consume(
    queue,
    (message) => {
      if (message) console.log(` [x] Received '${message.content.toString()}'`);
    },
    // The broker forgets a message once it has sent it: step 2 shows why a
    // worker acknowledges each one itself instead.
    { noAck: true },
  );
});
