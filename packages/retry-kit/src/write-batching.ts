import type { Writable } from 'node:stream';
import type { ChannelModel } from 'amqplib';

/** Sockets whose writes are already coalesced. */
const batched = new WeakSet<Writable>();

/**
 * Coalesces what amqplib writes to a connection's socket in one tick. The
 * kit sets TCP_NODELAY (a small write after another must not wait for a
 * delayed ACK), which makes every write a packet and a system call of its
 * own: a window of publishes, or a handler's retry and ack, went out one by
 * one. The socket is corked from a tick's first write, and all the tick
 * wrote leaves in one write when it ends: before the event loop goes on, so
 * only code that keeps the same tick busy after writing delays it. amqplib
 * writes each channel's frames in turn from one callback, so a retry (on the
 * publishing channel) and its ack (on the consuming one) share one write.
 */
export function batchWrites(model: ChannelModel): void {
  // amqplib keeps its socket on the connection; an amqplib without one is left as it is.
  const socket = (model.connection as unknown as { stream?: Writable }).stream;
  if (!socket || batched.has(socket)) return;
  batched.add(socket);
  const write = socket.write;
  let wroteThisTick = false;
  const tickEnded = () => {
    wroteThisTick = false;
    if (socket.writableCorked > 0) socket.uncork();
  };
  socket.write = function (this: Writable, ...args: Parameters<Writable['write']>): boolean {
    if (!wroteThisTick) {
      wroteThisTick = true;
      process.nextTick(tickEnded);
    }
    if (this.writableCorked === 0) this.cork();
    return write.apply(this, args);
  } as Writable['write'];
}
