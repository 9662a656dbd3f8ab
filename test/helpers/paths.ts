import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root (this file is test/helpers/paths.ts). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** `../shared/reference` beside the checkout: regulatory parameters, worked examples and ORE cases. */
export const SHARED_REFERENCE = path.resolve(REPO_ROOT, '..', 'shared', 'reference');
