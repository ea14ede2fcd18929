import type { Channel, ChannelModel } from 'amqplib';
import { nodeDownReason } from './broker-errors.js';
import type { Link } from './link.js';
import { assertTopology, type BindingSpec, type Topology } from './topology.js';

/**
 * Everything a client has declared, so it can be declared again on every new
 * connection. Each distinct declaration is sent once, however many callers
 * ask for it at the same time.
 */
export class Declarations {
  readonly #link: Link;
  readonly #topologies: Topology[] = [];
  readonly #declaring = new Map<string, Promise<void>>();
  readonly #rejectPublishQueues = new Set<string>();

  constructor(link: Link) {
    this.#link = link;
  }

  /** Declares now and records it for every reconnect. */
  declare(topology: Topology): Promise<void> {
    const key = JSON.stringify(topology);
    let declaring = this.#declaring.get(key);
    if (!declaring) {
      declaring = this.assert(topology).then(
        () => {
          this.#topologies.push(topology);
          for (const queue of topology.queues ?? []) {
            if (queue.overflow === 'reject-publish' || queue.overflow === 'reject-publish-dlx') {
              this.#rejectPublishQueues.add(queue.name);
            }
          }
        },
        (error: unknown) => {
          this.#declaring.delete(key);
          throw error;
        },
      );
      this.#declaring.set(key, declaring);
    }
    return declaring;
  }

  /** Removes a binding now, and from what is declared again on reconnect. */
  async unbind(binding: BindingSpec): Promise<void> {
    const key = JSON.stringify({ bindings: [binding] });
    this.#declaring.delete(key);
    const index = this.#topologies.findIndex((topology) => JSON.stringify(topology) === key);
    if (index >= 0) this.#topologies.splice(index, 1);
    const model = await this.#link.connection(Date.now() + 30_000, 'unbind');
    const channel = await model.createChannel();
    channel.on('error', () => {});
    try {
      const routingKey = binding.routingKey ?? '';
      if ('queue' in binding) await channel.unbindQueue(binding.queue, binding.source, routingKey, binding.arguments);
      else await channel.unbindExchange(binding.exchange, binding.source, routingKey, binding.arguments);
    } finally {
      await channel.close().catch(() => {});
    }
  }

  /** Declares now, without recording it (delay queues manage their own lifetime). */
  readonly assert = async (topology: Topology): Promise<void> => {
    const model = await this.#link.connection(Date.now() + 30_000, 'declare topology');
    const channel = await model.createChannel();
    // A failed declaration closes its channel; this one is ours alone.
    channel.on('error', () => {});
    try {
      await assertTopology(channel, topology);
    } finally {
      await channel.close().catch(() => {});
    }
  };

  /** The type `queue` was declared with by this client, if it was. */
  queueType(queue: string): 'classic' | 'quorum' | undefined {
    // The last declaration wins. (Not findLast: it needs lib ES2023, and a copy of the kit should build on ES2022.)
    const specs = this.#topologies.flatMap((topology) => topology.queues ?? []).reverse();
    const spec = specs.find((candidate) => candidate.name === queue);
    return spec ? (spec.type ?? 'classic') : undefined;
  }

  /**
   * Declares everything recorded again, on a new connection. A classic queue
   * whose node is down (on a cluster) cannot be declared until the node is
   * back; it is reported to `onUnavailable` and left out, so the rest of the
   * client can work. The queue itself is durable and comes back with its node.
   */
  async reassert(model: ChannelModel, onUnavailable: (reason: string) => void): Promise<void> {
    let channel = await quietChannel(model);
    try {
      for (const topology of this.#topologies) {
        try {
          await assertTopology(channel, topology);
        } catch (error) {
          const reason = nodeDownReason(error);
          if (!reason) throw error;
          onUnavailable(reason);
          // The failed declaration closed the channel.
          channel = await quietChannel(model);
        }
      }
    } finally {
      await channel.close().catch(() => {});
    }
  }

  /** True for a declared queue that refuses messages when full, so a nack means "full". */
  isRejectPublishQueue(queue: string): boolean {
    return this.#rejectPublishQueues.has(queue);
  }
}

async function quietChannel(model: ChannelModel): Promise<Channel> {
  const channel = await model.createChannel();
  // A failed declaration closes its channel; the caller sees the rejection.
  channel.on('error', () => {});
  return channel;
}
