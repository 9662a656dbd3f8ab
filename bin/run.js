#!/usr/bin/env node
// Entry point of the `xva` command. The compiled commands live in dist/commands (built by `npm ci` via `prepare`).
import { execute } from '@oclif/core';
// SIGTERM (a pod stopped) and SIGINT (Ctrl-C) remove the run's temporary files before exiting (src/io/tempFiles.ts)
import { installSignalCleanup } from '../dist/src/io/tempFiles.js';

installSignalCleanup();
await execute({ dir: import.meta.url });
