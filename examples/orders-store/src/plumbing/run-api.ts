// The API alone: pnpm --filter orders-store api
// Stores orders and streams their status; a relay process publishes them.
import { config } from './config.js';
import { launch, startApi } from './roles.js';

await launch(async (shop) => {
  const api = await startApi(shop, config.port);
  shop.log.info(`API listening on http://127.0.0.1:${config.port}/`);
  return () => api.close();
});
