import { fileURLToPath } from 'node:url';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

const globalSetup = fileURLToPath(new URL('./global-setup.ts', import.meta.url));
const stopProgramsSetup = fileURLToPath(new URL('./stop-programs.ts', import.meta.url));

/**
 * Vitest settings for tests against the real broker: one broker per run, and
 * test files one at a time, because a file that restarts the broker would
 * break the connections of any file running beside it. Programs a test
 * started are killed when it ends (stop-programs.ts).
 */
export function brokerTestConfig(test: NonNullable<ViteUserConfig['test']> = {}): ViteUserConfig {
  return defineConfig({
    test: {
      globalSetup: [globalSetup],
      setupFiles: [stopProgramsSetup],
      fileParallelism: false,
      testTimeout: 30_000,
      hookTimeout: 60_000,
      ...test,
    },
  });
}
