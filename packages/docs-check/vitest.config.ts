import { defineConfig } from 'vitest/config';

// No broker: these tests read files.
export default defineConfig({ test: {} });
