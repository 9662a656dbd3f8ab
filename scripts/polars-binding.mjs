#!/usr/bin/env node
// Dev/test helper run by `npm ci` (postinstall): the test suite reads xva's Arrow outputs back with nodejs-polars,
// an independent reader. Its Linux x64 binding (nodejs-polars-linux-x64-gnu@0.25.2, an optional dependency) declares
// `engines: node >= 22`, and npm silently skips it on Node 20 even though it works there. This fetches the same
// pinned tarball from the npm registry and unpacks it. It never fails the install: without the binding the Polars
// read-back tests are skipped and say why.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const PACKAGE = 'nodejs-polars-linux-x64-gnu';
const VERSION = '0.25.2';
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const target = path.join(root, 'node_modules', PACKAGE);

function main() {
  if (process.platform !== 'linux' || process.arch !== 'x64') return;
  if (!fs.existsSync(path.join(root, 'node_modules', 'nodejs-polars'))) return; // production install: no dev deps
  if (fs.existsSync(path.join(target, 'package.json'))) return;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-polars-'));
  try {
    const name = execFileSync('npm', ['pack', `${PACKAGE}@${VERSION}`, '--silent'], { cwd: tmp, encoding: 'utf8' }).trim().split('\n').pop();
    fs.mkdirSync(target, { recursive: true });
    execFileSync('tar', ['-xzf', path.join(tmp, name), '-C', target, '--strip-components=1']);
    process.stderr.write(`xva: installed ${PACKAGE}@${VERSION} for the Polars read-back tests\n`);
  } catch (error) {
    fs.rmSync(target, { recursive: true, force: true });
    process.stderr.write(`xva: could not install ${PACKAGE}@${VERSION} (${error.message.split('\n')[0]}); Polars tests will be skipped\n`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main();
