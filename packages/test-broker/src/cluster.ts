import { randomBytes } from 'node:crypto';
import getPort from 'get-port';
import { rabbitmqctl } from './ctl.js';
import { type LocalNode, startLocalNode } from './local-node.js';
import { pollUntil } from './wait.js';

export interface LocalCluster {
  /** The nodes, the first being the one the others joined. */
  nodes: LocalNode[];
  /** Each node's AMQP URL, in the order of `nodes`: a client's URL list. */
  amqpUrls: string[];
  /** Erlang node names of the nodes running in the cluster, as the first running node sees them. */
  runningNodes(): Promise<string[]>;
  stop(): Promise<void>;
}

/**
 * Starts a RabbitMQ cluster of `size` isolated local nodes on this machine:
 * one shared Erlang cookie and epmd; nodes after the first find it by classic
 * peer discovery and join it as they boot. Resolves once every node runs in it.
 */
export async function startLocalCluster({ size = 3 } = {}): Promise<LocalCluster> {
  const tag = randomBytes(3).toString('hex');
  const names = Array.from({ length: size }, (_, i) => `rabbit-${tag}-${i + 1}@localhost`);
  const shared = {
    cookie: randomBytes(20).toString('hex'),
    epmdPort: await getPort({ host: '127.0.0.1' }),
    username: 'harness',
    password: randomBytes(12).toString('hex'),
    // Several nodes on one machine: the harness's 1 GB each is too much.
    settings: { 'vm_memory_high_watermark.absolute': '512MB' },
  };
  // The first node forms the cluster alone (RabbitMQ 4 would wait for listed
  // peers that are not up yet); the others find it there and join.
  const joining = {
    ...shared,
    settings: {
      ...shared.settings,
      'cluster_formation.peer_discovery_backend': 'classic_config',
      'cluster_formation.classic_config.nodes.1': names[0]!,
    },
  };
  const nodes: LocalNode[] = [];
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
  };
  const runningNodes = async () => {
    for (const node of nodes) {
      const control = node.handle.control;
      if (control?.kind !== 'local') continue;
      try {
        const status = JSON.parse(await rabbitmqctl(control, ['cluster_status', '--formatter', 'json'])) as {
          running_nodes: string[];
        };
        return status.running_nodes;
      } catch {
        // That node is down: ask the next one.
      }
    }
    return [];
  };
  try {
    nodes.push(await startLocalNode({ ...shared, nodename: names[0] }));
    const rest = await Promise.allSettled(
      names.slice(1).map((nodename) => startLocalNode({ ...joining, nodename, runEpmd: false })),
    );
    for (const result of rest) if (result.status === 'fulfilled') nodes.push(result.value);
    const failed = rest.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    await pollUntil(async () => (await runningNodes()).length === size, {
      timeoutMs: 60_000,
      intervalMs: 500,
      what: `all ${size} nodes to run in one cluster`,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { nodes, amqpUrls: nodes.map((node) => node.handle.amqpUrl), runningNodes, stop };
}
