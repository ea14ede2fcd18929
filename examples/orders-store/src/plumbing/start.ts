// pnpm --filter orders-store start: the whole shop from one command, until
// Ctrl+C. This process runs the API and the outbox relay; the three
// departments (one process) and a stand-in sales system run as its child
// processes (role-process.ts), so their work never holds up a request.

import { DEPARTMENTS } from '../fan-out.js';
import { startRelay } from '../outbox.js';
import { config } from './config.js';
import { type RoleProcess, startRoleProcess } from './role-process.js';
import { launch, startApi } from './roles.js';

await launch(async (shop) => {
  const { db, rabbit, log } = shop;
  const roles: RoleProcess<unknown>[] = [];
  try {
    let salesUrl = config.salesUrl;
    if (!salesUrl) {
      const standIn = await startRoleProcess<{ url: string }>('run-sales-system', [], {
        env: { SALES_PORT: '0' },
        log,
      });
      roles.push(standIn);
      salesUrl = standIn.ready.url;
    }
    // The three in one process: an order reaches all three at once, and one process wakes for it, not three.
    const departments = DEPARTMENTS.flatMap((department) => ['--department', department]);
    roles.push(await startRoleProcess('run-consumer', departments, { env: { SALES_URL: salesUrl }, log }));
    const relay = startRelay(db, rabbit, { log: log.child({ role: 'relay' }) });
    const api = await startApi(shop, config.port, relay.wake);
    log.info(`open http://127.0.0.1:${config.port}/ to place an order`);
    log.info(`sales system: ${salesUrl}; packing slips: ${config.slipDir}`);
    return async () => {
      await api.close();
      await relay.stop();
      await Promise.all(roles.map((role) => role.stop()));
    };
  } catch (error) {
    // A role that could not start has said why; those started stop with this process.
    log.error((error as Error).message);
    process.exit(1);
  }
});
