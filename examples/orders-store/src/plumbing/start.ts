// pnpm --filter orders-store start: the whole shop in one process (store,
// API and page, outbox relay, the three departments, a stand-in sales
// system), until Ctrl+C.

import { DEPARTMENTS } from '../fan-out.js';
import { startRelay } from '../outbox.js';
import { config } from './config.js';
import { launch, startApi, startLoggedDepartment } from './roles.js';
import { startSalesStandIn } from './sales-stand-in.js';

await launch(async (shop) => {
  const { db, rabbit, log } = shop;
  const standIn = config.salesUrl ? undefined : await startSalesStandIn();
  const salesUrl = config.salesUrl ?? standIn!.url;
  for (const department of DEPARTMENTS) {
    await startLoggedDepartment(department, shop, { salesUrl, slipDir: config.slipDir });
  }
  const relay = startRelay(db, rabbit, { log: log.child({ role: 'relay' }) });
  const api = await startApi(shop, config.port, relay.wake);
  log.info(`open http://127.0.0.1:${config.port}/ to place an order`);
  log.info(`sales system: ${salesUrl}; packing slips: ${config.slipDir}`);
  return async () => {
    await api.close();
    await relay.stop();
    await standIn?.close();
  };
});
