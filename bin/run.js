#!/usr/bin/env node
// Entry point of the `xva` command. The compiled commands live in dist/commands (built by `npm ci` via `prepare`).
import { execute } from '@oclif/core';

await execute({ dir: import.meta.url });
