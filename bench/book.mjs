// A generated book (src/fixtures/book.ts presets) written as Parquet to a temporary folder and loaded back as a user's
// would be (the inputs' own readers and checks), the folder removed: the market and portfolio the benches run on.
// Build first (`npm run build`).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The market and portfolio of preset `preset` (e.g. 'utb-20k') generated with `seed`. */
export async function loadGeneratedBook(preset, seed = 42) {
  const { generateBook } = await import('../dist/src/fixtures/book.js');
  const { writeBook } = await import('../dist/src/fixtures/write.js');
  const { loadSimulationInputs } = await import('../dist/src/exposure/simulate.js');
  const dir = mkdtempSync(join(tmpdir(), 'xva-bench-book-'));
  try {
    writeBook(generateBook(preset, seed), join(dir, 'book'), 'parquet');
    return await loadSimulationInputs(join(dir, 'book'), join(dir, 'book', 'market.yaml'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
