import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root (this file is test/helpers/paths.ts). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * The published reference cases (regulatory parameters, worked examples, ORE cases): `../shared/reference` beside the
 * checkout, or the folder XVA_SHARED_REFERENCE names. test/globalSetup.ts stops the run with a message when it is absent.
 */
export const SHARED_REFERENCE = process.env.XVA_SHARED_REFERENCE ? path.resolve(process.env.XVA_SHARED_REFERENCE) : path.resolve(REPO_ROOT, '..', 'shared', 'reference');
