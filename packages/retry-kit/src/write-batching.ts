import type { Readable, Writable } from 'node:stream';
import type { ChannelModel } from 'amqplib';

/** amqplib's muxer: it writes what each channel's stream holds (one message or method each) to the socket. */
interface Muxer {
  _readIncoming?: () => void;
  newStreams?: Readable[];
  oldStreams?: Readable[];
}

/** What the kit reaches into: amqplib's socket, and its muxer. */
interface AmqplibConnection {
  stream?: Writable;
  muxer?: Muxer;
}

/** Muxers whose writes are already coalesced. */
const batched = new WeakSet<object>();

/**
 * Coalesces what amqplib writes to a connection's socket in one pass of its
 * muxer. The kit sets TCP_NODELAY (a small write after another must not wait
 * for a delayed ACK), which makes every write a packet and a system call of
 * its own, and amqplib writes each message and each ack separately: a window
 * of publishes, or a retry (on the publishing channel) and acks (on the
 * consuming one), went out one by one. When a pass has more than one thing
 * to write, the socket is corked for it and uncorked at its end: what it
 * wrote leaves in one write, at once. A pass with one thing to write writes
 * it as amqplib does (corking costs more than it saves there).
 */
export function batchWrites(model: ChannelModel): void {
  // An amqplib without these (another version) is left as it is.
  const { stream: socket, muxer } = model.connection as unknown as AmqplibConnection;
  const pass = muxer?._readIncoming;
  if (!socket || !muxer || typeof pass !== 'function' || batched.has(muxer)) return;
  batched.add(muxer);
  muxer._readIncoming = function (this: Muxer) {
    if (waiting(this) < 2) return pass.call(this);
    socket.cork();
    try {
      pass.call(this);
    } finally {
      socket.uncork();
    }
  };
}

/** How many writes the muxer has waiting in its channels' streams (counting stops at 2: enough to know). */
function waiting(muxer: Muxer): number {
  let count = 0;
  for (const streams of [muxer.newStreams, muxer.oldStreams]) {
    for (const stream of streams ?? []) {
      count += stream.readableLength;
      if (count > 1) return count;
    }
  }
  return count;
}
