#!/usr/bin/env node
// The `stegavox` command: runs the TypeScript CLI through tsx's loader (no build step).
import { register } from 'tsx/esm/api';

register();
await import('../cli/stegavox.ts');
