// Sends one log line to the exchange "direct_logs", its severity as the routing key.
// Run: pnpm --filter routing emit_log_direct error "Run. Run. Or it will explode."
import { connectOrExit } from 'retry-kit';

const exchange = 'direct_logs';
const [severity = 'info', ...words] = process.argv.slice(2);
const text = words.join(' ') || 'Hello World!';

const rabbit = await connectOrExit({ hint: 'Start one with: pnpm broker', rabbitmqctl: 'pnpm rabbitmqctl' });
const { channel } = await rabbit.setupChannel(
  async (channel) => {
    // Direct: a copy to each queue bound with exactly this routing key.
    await channel.assertExchange(exchange, 'direct', { durable: false });
  },
  { confirm: true },
);

channel.publish(exchange, severity, Buffer.from(text));
await channel.waitForConfirms();
console.log(` [x] Sent ${severity}: '${text}'`);

await rabbit.close();
