// The benchmarked work, done through retry-kit.
import { connect, silentLogger } from '../src/index.js';
import { type Measured, measure } from './broker.js';

export async function kitPublish(url: string, queue: string, total: number, window: number): Promise<Measured> {
  const rabbit = await connect({ url, logger: silentLogger });
  await rabbit.declare({ queues: [{ name: queue }] });
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const n = next++;
      await rabbit.sendToQueue(queue, { n, text: 'benchmark payload' });
    }
  };
  const measured = await measure(total, async () => {
    await Promise.all(Array.from({ length: window }, worker));
  });
  await rabbit.close();
  return measured;
}

export async function kitConsume(url: string, queue: string, total: number, prefetch: number): Promise<Measured> {
  const rabbit = await connect({ url, logger: silentLogger });
  const measured = await measure(total, async () => {
    await new Promise<void>((resolve) => {
      let handled = 0;
      void rabbit.consume(
        queue,
        () => {
          if (++handled === total) resolve();
        },
        { prefetch },
      );
    });
  });
  await rabbit.close();
  return measured;
}
