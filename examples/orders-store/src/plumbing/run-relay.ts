// The outbox relay alone: pnpm --filter orders-store relay
// Publishes the orders that API processes stored.

import { startRelay } from '../outbox.js';
import { config } from './config.js';
import { launch } from './roles.js';

await launch(async ({ db, rabbit, log }) => {
  // Apart from the API nobody wakes the relay: poll often.
  const relay = startRelay(db, rabbit, { pollMs: 100, log: log.child({ role: 'relay' }) });
  log.info(`relay publishing the outbox of ${config.storeFile}`);
  return relay.stop;
});
