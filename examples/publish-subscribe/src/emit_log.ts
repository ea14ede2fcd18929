// Broadcasts one log line to every queue bound to the exchange "logs", then exits.
// Run: pnpm --filter publish-subscribe emit_log "info: Hello World!"
import { connectOrExit } from 'retry-kit';

const exchange = 'logs';
const text = process.argv.slice(2).join(' ') || 'info: Hello World!';

const rabbit = await connectOrExit({ hint: 'Start one with: pnpm broker', rabbitmqctl: 'pnpm rabbitmqctl' });
const { channel } = await rabbit.setupChannel(
  async (channel) => {
    // Fanout: a copy to every bound queue, whatever the routing key. Not
    // durable, as the official tutorials declare it: logs are for now.
    await channel.assertExchange(exchange, 'fanout', { durable: false });
  },
  { confirm: true },
);

// With no queue bound, the exchange drops the message, and the broker still
// confirms it: nobody was listening, so nobody needed it.
channel.publish(exchange, '', Buffer.from(text));
await channel.waitForConfirms();
console.log(` [x] Sent '${text}'`);

await rabbit.close();
