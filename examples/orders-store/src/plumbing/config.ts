import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dataDir = process.env.DATA_DIR ?? fileURLToPath(new URL('../../data', import.meta.url));

/**
 * Settings shared by every role, from the environment, so roles run apart
 * still find each other: the store (DATA_DIR), the API's port (PORT), the
 * sales system (SALES_URL).
 */
export const config = {
  dataDir,
  storeFile: path.join(dataDir, 'orders.db'),
  slipDir: path.join(dataDir, 'slips'),
  port: Number(process.env.PORT ?? 3000),
  salesUrl: process.env.SALES_URL,
};
