import { fileURLToPath } from 'node:url';
import path from 'node:path';
import fs from 'node:fs';

/** The package's root folder (where package.json, fixtures/ and scenarios/ live), from src/ or dist/src/. */
export function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'fixtures'))) return dir;
    dir = path.dirname(dir);
  }
  throw new Error('xva: cannot find the package root (package.json with fixtures/)');
}

export function defaultPortfolioDir(): string {
  return path.join(packageRoot(), 'fixtures', 'demo');
}

export function defaultScenariosDir(): string {
  return path.join(packageRoot(), 'scenarios');
}
