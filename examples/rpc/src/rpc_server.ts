// Answers fib(n) requests from the queue "rpc_queue", one at a time, until Ctrl+C.
// Run: pnpm --filter rpc rpc_server   (start two, and they share the requests)
import { setTimeout as sleep } from 'node:timers/promises';
import { connectOrExit } from 'retry-kit';
import { answer } from './fibonacci.js';

const queue = 'rpc_queue';
// Pretend each request takes this long, to watch two servers share the work.
const WORK_MS = Number(process.env.RPC_WORK_MS ?? 0);

const rabbit = await connectOrExit({ hint: 'Start one with: pnpm broker', rabbitmqctl: 'pnpm rabbitmqctl' });
await rabbit.setupChannel(
  async (channel) => {
    await channel.assertQueue(queue, { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    // One request at a time: while this server works, the next goes to another.
    await channel.prefetch(1);
    console.log(' [x] Awaiting RPC requests');
    await channel.consume(queue, async (request) => {
      if (!request) return;
      const { replyTo, correlationId } = request.properties;
      const text = request.content.toString();
      console.log(` [.] fib(${text})`);
      await sleep(WORK_MS);
      // One asking the impossible gets an error reply (type 'error'), and the server goes on.
      const reply = answer(text);
      if (!replyTo) return channel.ack(request); // nowhere to reply to
      const type = reply.error ? { type: 'error' } : {};
      // Acked once the broker has the reply: a server that dies before that
      // leaves the request to another.
      channel.sendToQueue(replyTo, Buffer.from(reply.text), { correlationId, ...type }, (error) => {
        if (!error) channel.ack(request);
      });
    });
  },
  { confirm: true },
);
