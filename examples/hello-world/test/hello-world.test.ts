import { runProgram as run } from 'test-broker';
import { useTestVhost } from 'test-broker/vitest';
import { describe, expect, it } from 'vitest';

const broker = await useTestVhost('hello-world');

/** Runs src/<name>.ts as a reader would, against this file's vhost unless told otherwise. */
const runProgram = (name: string, args: string[], amqpUrl = broker.amqpUrl) =>
  run(new URL(`../src/${name}.ts`, import.meta.url), args, { AMQP_URL: amqpUrl });

describe('hello-world: send and receive', () => {
  it('receive prints the message send sent, and send exits 0 only after the confirm', async () => {
    const receive = runProgram('receive', [], broker.amqpUrl);
    await receive.line('Waiting for messages');

    const send = runProgram('send', ['Hi from the test'], broker.amqpUrl);
    expect(await send.exit()).toEqual({ code: 0, signal: null });
    expect(send.output).toEqual([" [x] Sent 'Hi from the test'"]);

    expect(await receive.line('Received')).toBe(" [x] Received 'Hi from the test'");
    receive.child.kill('SIGINT');
    expect(await receive.exit()).toEqual({ code: 0, signal: null });
  });

  it('a message sent while nobody receives waits in the durable queue', async () => {
    const send = runProgram('send', ['Kept for later'], broker.amqpUrl);
    expect((await send.exit()).code).toBe(0);

    const receive = runProgram('receive', [], broker.amqpUrl);
    expect(await receive.line('Received')).toBe(" [x] Received 'Kept for later'");
    receive.child.kill('SIGINT');
    expect((await receive.exit()).code).toBe(0);
  });

  it('with no broker, both programs print one line saying how to start one and exit 1', async () => {
    for (const name of ['send', 'receive']) {
      const program = runProgram(name, [], 'amqp://guest:guest@127.0.0.1:1');
      expect(await program.exit()).toEqual({ code: 1, signal: null });
      expect(program.output).toEqual([
        '[retry-kit] Nothing answers at amqp://guest:***@127.0.0.1:1 (ECONNREFUSED). Is RabbitMQ running there? Check AMQP_URL. Start one with: pnpm broker',
      ]);
    }
  });
});
