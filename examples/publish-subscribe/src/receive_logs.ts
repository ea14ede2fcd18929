// Prints every log line broadcast on the exchange "logs" from now on, until Ctrl+C.
// Run: pnpm --filter publish-subscribe receive_logs   (start several)
import { connectOrExit } from 'retry-kit';

const exchange = 'logs';

const rabbit = await connectOrExit({ hint: 'Start one with: pnpm broker', rabbitmqctl: 'pnpm rabbitmqctl' });
await rabbit.setupChannel(async (channel) => {
  await channel.assertExchange(exchange, 'fanout', { durable: false });
  // A queue of our own: named by the server (''), and exclusive, so it goes
  // when this connection does. After a reconnect we get a new one.
  const { queue } = await channel.assertQueue('', { exclusive: true });
  // The binding is what makes the exchange copy messages into our queue.
  await channel.bindQueue(queue, exchange, '');
  console.log(` [*] Waiting for logs in ${queue}. To exit press CTRL+C`);
  await channel.consume(
    queue,
    (message) => {
      if (message) console.log(` [x] ${message.content.toString()}`);
    },
    { noAck: true },
  );
});
