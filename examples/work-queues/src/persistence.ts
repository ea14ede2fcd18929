// Durability where it still matters, on a classic queue: after a broker
// restart, a persistent message is still there and a transient one is gone.
// Run it, restart the broker (Ctrl+C where `pnpm broker` runs, then start it
// again), and run it once more.
// Run: pnpm --filter work-queues persistence
import { connectOrExit } from 'retry-kit';

const queue = 'classic_tasks';

const rabbit = await connectOrExit({ hint: 'Start one with: pnpm broker', rabbitmqctl: 'pnpm rabbitmqctl' });
const { channel } = await rabbit.setupChannel(
  async (channel) => {
    // Durable, so the queue itself survives; no x-queue-type, so classic.
    await channel.assertQueue(queue, { durable: true });
  },
  { confirm: true },
);

// What the last run left, taken one by one (basic.get; false once empty).
const found: string[] = [];
let message = await channel.get(queue, { noAck: true });
while (message) {
  found.push(`'${message.content.toString()}'`);
  message = await channel.get(queue, { noAck: true });
}
console.log(` [x] ${queue} held: ${found.join(', ') || 'nothing'}`);

channel.sendToQueue(queue, Buffer.from('persistent task'), { persistent: true });
channel.sendToQueue(queue, Buffer.from('transient task'), { persistent: false });
await channel.waitForConfirms();
console.log(" [x] Sent 'persistent task' (persistent: true) and 'transient task' (persistent: false)");

await rabbit.close();
