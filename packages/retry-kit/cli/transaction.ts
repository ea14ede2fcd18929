import type { Channel } from 'amqplib';

// AMQP 0-9-1 method ids (class 90 "tx"): amqplib implements transactions on
// the wire but has no API for them, so they are sent through its generic rpc.
const TX_SELECT = (90 << 16) | 10;
const TX_SELECT_OK = (90 << 16) | 11;
const TX_COMMIT = (90 << 16) | 20;
const TX_COMMIT_OK = (90 << 16) | 21;

interface RpcChannel {
  rpc(method: number, fields: object, expect: number): Promise<unknown>;
}

/**
 * Puts `channel` in transaction mode: its publishes and acks take effect
 * together at `commit`, or not at all if the channel closes first (a killed
 * process). Unlike confirm-then-ack, there is no moment where a message is
 * both published and still unacked.
 */
export async function beginTransactions(channel: Channel): Promise<() => Promise<void>> {
  const rpc = channel as unknown as RpcChannel;
  await rpc.rpc(TX_SELECT, {}, TX_SELECT_OK);
  return async () => {
    await rpc.rpc(TX_COMMIT, {}, TX_COMMIT_OK);
  };
}
