import amqp from 'amqplib';
import { type Program, stepPrograms } from 'test-broker';
import { useTestVhost } from 'test-broker/vitest';
import { describe, expect, it } from 'vitest';
import { fibonacci } from '../src/fibonacci.js';

const broker = await useTestVhost('rpc');
// As rpc_server and the official tutorial declare it.
const RPC_QUEUE = { durable: true, arguments: { 'x-queue-type': 'quorum' } };
const { program, official } = stepPrograms(import.meta.url, { AMQP_URL: broker.amqpUrl });

async function server(workMs = '0'): Promise<Program> {
  const started = program('rpc_server', [], { RPC_WORK_MS: workMs });
  await started.line('Awaiting RPC requests');
  return started;
}

/** What a client printed about its answers, sorted (they come in any order). */
const answers = (client: Program) =>
  client.output.filter((line) => line.startsWith(' [.]') || line.startsWith(' [!]')).sort();

describe('rpc: request and reply', () => {
  it('several requests in flight on one connection each get their own answer; a bad one an error reply', async () => {
    const started = await server();
    const client = program('rpc_client', ['30', '10', 'ten', '100000']);
    expect(await client.exit()).toEqual({ code: 1, signal: null });
    expect(answers(client)).toEqual([
      " [!] fib(100000): fib needs a whole number from 0 to 10000, got '100000'",
      " [!] fib(ten): fib needs a whole number from 0 to 10000, got 'ten'",
      ' [.] Got fib(10) = 55',
      ' [.] Got fib(30) = 832040',
    ]);
    // The server kept serving.
    const next = program('rpc_client', ['90']);
    expect(await next.exit()).toEqual({ code: 0, signal: null });
    expect(answers(next)).toEqual([` [.] Got fib(90) = ${fibonacci(90)}`]);
    expect(started.output).toContain(' [.] fib(ten)');
  });

  it('with no server, the client says so after its timeout and exits 1; the request expires unanswered', async () => {
    // rpc_queue is there (a server ran before), but no server is.
    const connection = await amqp.connect(broker.amqpUrl);
    await (await connection.createChannel()).assertQueue('rpc_queue', RPC_QUEUE);
    await connection.close();
    const client = program('rpc_client', ['7'], { RPC_TIMEOUT_MS: '300' });
    expect(await client.exit()).toEqual({ code: 1, signal: null });
    expect(answers(client)).toEqual([' [!] fib(7): no server answered in 300 ms (is rpc_server running?)']);

    // A server that starts later never works on it: the next request is the first it sees.
    const started = await server();
    const next = program('rpc_client', ['8']);
    expect(await next.exit()).toEqual({ code: 0, signal: null });
    expect(started.output.filter((line) => line.startsWith(' [.] fib('))).toEqual([' [.] fib(8)']);
  });

  it('ignores a reply with a foreign correlation id and takes the one that is its own', async () => {
    // A server that first answers with a correlation id nobody asked for.
    const connection = await amqp.connect(broker.amqpUrl);
    try {
      const channel = await connection.createChannel();
      await channel.assertQueue('rpc_queue', RPC_QUEUE);
      await channel.consume('rpc_queue', (request) => {
        if (!request) return;
        const { replyTo, correlationId } = request.properties;
        channel.sendToQueue(replyTo, Buffer.from('999'), { correlationId: 'not-yours' });
        channel.sendToQueue(replyTo, Buffer.from('13'), { correlationId });
        channel.ack(request);
      });
      const client = program('rpc_client', ['7']);
      expect(await client.exit()).toEqual({ code: 0, signal: null });
      expect(answers(client)).toEqual([' [.] Got fib(7) = 13']);
    } finally {
      await connection.close();
    }
  });

  it('two servers share the requests; one killed mid-request leaves it to the other, which answers', async () => {
    const servers = [await server('1000'), await server('1000')];
    const client = program('rpc_client', ['20', '21'], { RPC_TIMEOUT_MS: '20000' });
    // prefetch 1: each server holds one request.
    await Promise.all(servers.map((started) => started.line('fib(')));
    const [doomed, survivor] = servers as [Program, Program];
    const lost = /fib\((\d+)\)/.exec(await doomed.line('fib('))![1];
    doomed.child.kill('SIGKILL');

    expect(await client.exit()).toEqual({ code: 0, signal: null });
    expect(answers(client)).toEqual([' [.] Got fib(20) = 6765', ' [.] Got fib(21) = 10946']);
    // The survivor answered its own request and, redelivered, the dead one's.
    expect(survivor.output.filter((line) => line === ` [.] fib(${lost})`)).toHaveLength(1);
  });

  it("our client gets its answer from the official tutorial's rpc_server.py (pika)", async () => {
    const started = await official('rpc_server');
    await started.line('Awaiting RPC requests');
    const client = program('rpc_client', ['30']);
    expect(await client.exit()).toEqual({ code: 0, signal: null });
    expect(answers(client)).toEqual([' [.] Got fib(30) = 832040']);
    expect(await started.line('fib(')).toBe(' [.] fib(30)');
  });

  it("the official tutorial's rpc_client.py (pika, a callback queue) gets its answer from our server", async () => {
    await server();
    const client = await official('rpc_client', ['30']);
    expect(await client.exit()).toEqual({ code: 0, signal: null });
    expect(client.output).toEqual([' [x] Requesting fib(30)', ' [.] Got 832040']);
  });

  it('rpc_client without a number says how to call it, and exits 1', async () => {
    const client = program('rpc_client');
    expect(await client.exit()).toEqual({ code: 1, signal: null });
    expect(client.output).toEqual(['Usage: rpc_client <n>...']);
  });
});
