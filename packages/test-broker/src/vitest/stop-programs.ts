// A vitest setup file (brokerTestConfig adds it): no program a test started
// with runProgram outlives that test, pass or fail; none started at file
// level outlives the file, nor any folder made with tempDir.
import { afterAll, afterEach, beforeEach } from 'vitest';
import { enterProgramScope, stopPrograms } from '../programs.js';
import { removeTempDirs } from './temp-dirs.js';

beforeEach(({ task }) => enterProgramScope(task.id));
afterEach(async ({ task }) => {
  await stopPrograms(task.id);
  enterProgramScope('file');
});
afterAll(async () => {
  await stopPrograms();
  removeTempDirs();
});
