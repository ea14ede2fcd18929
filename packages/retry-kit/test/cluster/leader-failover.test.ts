import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { type LocalCluster, managementFor, pollUntil, startLocalCluster } from 'test-broker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConnectOptions, connect, type RabbitClient } from '../../src/index.js';
import { recordingLogger } from '../helpers.js';
import { publishNumbers, StreamTally } from '../stream.js';

const TOTAL = 4_000;
/** A 10 s stream, so the kill lands with messages in flight both ways. */
const RATE_PER_S = 400;
const KILL_AT = 1_600;
/** Longer than the stream takes to reach KILL_AT: every retry scheduled before the kill is still waiting then. */
const RETRY_DELAY_MS = 5_000;
const AFTER_RETURN = 200;

let cluster: LocalCluster;
const clients: RabbitClient[] = [];
beforeAll(async () => {
  cluster = await startLocalCluster({ size: 3 });
});
afterAll(async () => {
  await Promise.all(clients.map((client) => client.close({ timeoutMs: 2_000 })));
  await cluster?.stop();
});

async function connectToCluster(connectionName: string): Promise<RabbitClient> {
  const options: ConnectOptions = {
    url: cluster.amqpUrls,
    connectionName,
    logger: recordingLogger(),
    delays: { topology: 'queues', queueType: 'quorum' },
    retry: { attempts: 5, backoff: { type: 'fixed', delays: [RETRY_DELAY_MS] } },
  };
  const client = await connect(options);
  clients.push(client);
  return client;
}

interface QuorumQueueInfo {
  leader?: string;
  online?: string[];
}

function nodeName(index: number): string {
  const control = cluster.nodes[index]?.handle.control;
  return control?.kind === 'local' ? control.nodename : '';
}

/** The queue as the management API of node `via` reports it. */
function quorumQueue(via: number, queue: string): Promise<QuorumQueueInfo> {
  return managementFor(cluster.nodes[via]!.handle).request('GET', `/queues/%2F/${queue}`);
}

const port = (url: string) => new URL(url).port;

describe('a 3-node cluster, quorum work and delay queues', () => {
  it('loses no confirmed message when the leader node is killed mid-stream; consumers fail over, delayed retries arrive', async () => {
    const queue = 'cluster-work';
    const producer = await connectToCluster('producer');
    const consumer = await connectToCluster('consumer');
    // Declared through node 1 (both clients start on the first URL): its leader is there.
    await producer.declare({ queues: [{ name: queue, type: 'quorum' }] });
    await pollUntil(async () => (await quorumQueue(1, queue)).leader !== undefined, {
      timeoutMs: 10_000,
      what: 'the queue to report its leader',
    });
    expect((await quorumQueue(1, queue)).leader).toBe(nodeName(0));

    // Both clients are on node 1, the first URL, which is up.
    let consumerDrops = 0;
    consumer.on('disconnected', () => consumerDrops++);
    const consumerNodes: string[] = [];
    consumer.on('connected', ({ url }) => consumerNodes.push(port(url)));
    let killStartedAt = 0;
    let failedOverAt = 0;
    consumer.on('connected', () => {
      if (killStartedAt && !failedOverAt) failedOverAt = Date.now();
    });
    const scheduledBeforeKill = new Set<number>();
    consumer.on('retry-scheduled', ({ messageId }) => {
      if (!killStartedAt) scheduledBeforeKill.add(Number(messageId?.slice(2)));
    });

    const stream = new StreamTally(TOTAL);
    const afterReturn = new StreamTally(AFTER_RETURN);
    const retriesArrived = new Set<number>();
    await consumer.consume<{ n: number }>(
      queue,
      ({ n }, delivery) => {
        if (n >= TOTAL) return afterReturn.record(n - TOTAL);
        // Every tenth message fails once: its retry waits in a quorum delay queue.
        if (n % 10 === 0 && delivery.attempts === 0) throw new Error('fails once');
        if (delivery.attempts > 0) retriesArrived.add(n);
        stream.record(n);
      },
      { prefetch: 50 },
    );

    let killed = Promise.resolve();
    await publishNumbers(producer, queue, TOTAL, {
      ratePerSecond: RATE_PER_S,
      onProgress: (confirmed) => {
        if (confirmed !== KILL_AT) return;
        killStartedAt = Date.now();
        killed = cluster.nodes[0]!.kill();
      },
    });
    await killed;
    // Bounded, so a lost message fails with its number rather than a timeout.
    await Promise.race([stream.complete, sleep(60_000)]);

    const report = {
      published: TOTAL,
      lost: stream.missing().length,
      duplicates: stream.duplicates,
      retriesWaitingAtKill: scheduledBeforeKill.size,
      consumerFailoverMs: failedOverAt - killStartedAt,
      consumerNodes,
    };
    console.log(JSON.stringify(report));
    expect(stream.missing()).toEqual([]);
    expect(scheduledBeforeKill.size).toBeGreaterThan(100);
    expect([...scheduledBeforeKill].filter((n) => !retriesArrived.has(n))).toEqual([]);
    // The same client, now on another node: no process restart.
    expect(consumerDrops).toBe(1);
    expect(consumerNodes).toHaveLength(1);
    expect(consumerNodes).not.toContain(port(cluster.amqpUrls[0]!));
    expect((await quorumQueue(1, queue)).leader).not.toBe(nodeName(0));

    // The killed node comes back with its data and rejoins; work goes on.
    await cluster.nodes[0]!.start();
    await pollUntil(async () => (await cluster.runningNodes()).length === 3, {
      timeoutMs: 60_000,
      intervalMs: 500,
      what: 'the node to rejoin the cluster',
    });
    await pollUntil(async () => (await quorumQueue(1, queue)).online?.includes(nodeName(0)) ?? false, {
      timeoutMs: 60_000,
      intervalMs: 500,
      what: "the node's replica to be back in the queue",
    });
    for (let i = 0; i < AFTER_RETURN; i++) await producer.sendToQueue(queue, { n: TOTAL + i });
    await Promise.race([afterReturn.complete, sleep(30_000)]);
    expect(afterReturn.missing()).toEqual([]);
  });
  it('a classic queue on the killed node does not keep the client from the others; its consumer resumes when the node is back', async () => {
    const classic = 'cluster-classic';
    const quorum = 'cluster-quorum';
    const client = await connectToCluster('classic-and-quorum');
    // Declared through node 1, the first URL: the classic queue lives there alone.
    await client.declare({ queues: [{ name: classic }, { name: quorum, type: 'quorum' }] });
    const seen = { classic: new StreamTally(20), quorum: new StreamTally(100) };
    await client.consume<{ n: number }>(classic, ({ n }) => seen.classic.record(n));
    await client.consume<{ n: number }>(quorum, ({ n }) => seen.quorum.record(n));
    for (let n = 0; n < 10; n++) await client.sendToQueue(classic, { n });

    const reconnected = once(client, 'connected');
    await cluster.nodes[0]!.kill();
    // Reconnected to another node although the classic queue cannot be declared there.
    const gaveUp = sleep(60_000).then(() => 'still not reconnected after 60 s');
    expect(await Promise.race([reconnected.then(() => 'reconnected'), gaveUp])).toBe('reconnected');
    for (let n = 0; n < 100; n++) await client.sendToQueue(quorum, { n });
    await Promise.race([seen.quorum.complete, sleep(30_000)]);
    expect(seen.quorum.missing()).toEqual([]);

    await cluster.nodes[0]!.start();
    for (let n = 10; n < 20; n++) await client.sendToQueue(classic, { n });
    // The consumer of the classic queue retries with backoff (at most 30 s apart).
    await Promise.race([seen.classic.complete, sleep(60_000)]);
    expect(seen.classic.missing()).toEqual([]);
  });
});
