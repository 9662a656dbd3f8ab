/**
 * The generated oclif.manifest.json (scripts/oclif-manifest.mjs) against the built commands it describes: oclif
 * takes command ids, flags and help from the manifest, so a stale one hides new flags from `--help` (it did: the
 * script let oclif read the old manifest back instead of the commands). Reference: each command class's own
 * `flags` and inherited `baseFlags`, imported from dist/commands. Also: every flag of every command is documented in
 * README.md or docs/*.md (as `--name`, or `--no-name` for a boolean that defaults to true), so the front door stays
 * true to the CLI.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/paths.js';

const manifest = JSON.parse(fs.readFileSync(path.join(REPO_ROOT, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, { flags: Record<string, unknown> }> };
const commandsDir = path.join(REPO_ROOT, 'dist/commands');
const built = fs
  .readdirSync(commandsDir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.js'))
  .map((f) => ({ id: f.slice(0, -3).split(path.sep).join(':'), file: path.join(commandsDir, f) }));

describe('oclif.manifest.json', () => {
  it('lists every built command, and no other', () => {
    expect(Object.keys(manifest.commands).sort()).toEqual(built.map((c) => c.id).sort());
  });

  for (const { id, file } of built) {
    it(`${id}: the manifest's flags are the command's flags`, async () => {
      const command = (await import(pathToFileURL(file).href)).default as { flags: Record<string, unknown>; baseFlags?: Record<string, unknown> };
      const own = new Set([...Object.keys(command.baseFlags ?? {}), ...Object.keys(command.flags)]);
      expect(Object.keys(manifest.commands[id]!.flags).sort()).toEqual([...own].sort());
    });
  }
});

describe('the documentation names every flag', () => {
  const docsDir = path.join(REPO_ROOT, 'docs');
  const text = [path.join(REPO_ROOT, 'README.md'), ...fs.readdirSync(docsDir).filter((f) => f.endsWith('.md')).map((f) => path.join(docsDir, f))]
    .map((f) => fs.readFileSync(f, 'utf8'))
    .join('\n');
  it('README.md or docs/*.md mentions --flag (or --no-flag) for each flag of each command', () => {
    const missing: string[] = [];
    for (const [id, command] of Object.entries(manifest.commands)) {
      for (const name of Object.keys(command.flags)) {
        if (!text.includes(`--${name}`) && !text.includes(`--no-${name}`)) missing.push(`${id} --${name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
