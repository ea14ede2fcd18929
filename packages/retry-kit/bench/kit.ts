// The benchmarked work, done through retry-kit.
import { connect, silentLogger } from '../src/index.js';

export async function kitPublish(url: string, queue: string, total: number, window: number): Promise<number> {
  const rabbit = await connect({ url, logger: silentLogger });
  await rabbit.declare({ queues: [{ name: queue }] });
  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < total) {
      const n = next++;
      await rabbit.sendToQueue(queue, { n, text: 'benchmark payload' });
    }
  };
  await Promise.all(Array.from({ length: window }, worker));
  const seconds = (performance.now() - started) / 1000;
  await rabbit.close();
  return total / seconds;
}

export async function kitConsume(url: string, queue: string, total: number, prefetch: number): Promise<number> {
  const rabbit = await connect({ url, logger: silentLogger });
  const started = performance.now();
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
  const seconds = (performance.now() - started) / 1000;
  await rabbit.close();
  return total / seconds;
}
