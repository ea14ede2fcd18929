#!/usr/bin/env node
// The CLI is TypeScript, like the kit; tsx's loader runs it without a build step.
import { register } from 'tsx/esm/api';

register();
await import('../cli/run.ts');
