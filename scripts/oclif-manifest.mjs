// Writes oclif.manifest.json (the commands' ids, flags and help) from the built commands in dist/commands, as
// `oclif manifest` does: with it, `xva <command>` loads only that command's modules instead of every command's
// (startup 1.2 s -> see bench/README.md). Run by `npm run build` and `prepare` after tsc; the file is generated
// (git-ignored), so it always matches the build.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Config } from '@oclif/core';

const root = new URL('..', import.meta.url).pathname;
// oclif reads an existing manifest instead of the commands: without this a rebuild kept the old flags and help
rmSync(join(root, 'oclif.manifest.json'), { force: true });
const config = await Config.load({ root });
const plugin = config.getPluginsList().find((p) => p.root === config.root || p.isRoot);
if (!plugin) throw new Error(`no root plugin found at ${root}`);
const manifest = plugin.manifest;
if (!manifest || Object.keys(manifest.commands ?? {}).length === 0) throw new Error('the oclif manifest lists no commands: build dist/ first (tsc -p tsconfig.json)');
writeFileSync(join(root, 'oclif.manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(`oclif.manifest.json: ${Object.keys(manifest.commands).length} commands`);
