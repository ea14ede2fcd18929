import type { Writable } from 'node:stream';
import type { ChannelModel } from 'amqplib';

/** Sockets whose writes are already coalesced. */
const batched = new WeakSet<Writable>();

/**
 * Coalesces what amqplib writes to a connection's socket in one tick. The
 * kit sets TCP_NODELAY (a small write after another must not wait for a
 * delayed ACK), which makes every write a packet and a system call of its
 * own: a window of publishes, or a handler's retry and ack, went out one by
 * one. The first write of a tick goes at once, as before; the socket is
 * corked for the rest of the tick, and what followed leaves in one write
 * when the tick ends, no later than it would have.
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
    } else if (this.writableCorked === 0) {
      this.cork();
    }
    return write.apply(this, args);
  } as Writable['write'];
}
