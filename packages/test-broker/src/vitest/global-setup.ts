import type { TestProject } from 'vitest/node';
import { locateBroker } from '../locate.js';

/**
 * One broker for the whole vitest run: the one `test-broker run` handed down
 * (so `pnpm test` starts a single broker for every package), or one found or
 * started here when a package's tests run alone.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const broker = await locateBroker((line) => console.log(`[test-broker] ${line}`));
  project.provide('broker', broker.handle);
  return broker.stop;
}
