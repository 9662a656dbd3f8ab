/**
 * `xva validate`'s MTM and the exposure engine's value at t = 0 price an uncollateralised netting set on the same
 * curves (the thirty-fifth session's market audit, helper 80): with a cross-currency basis in the market, validate
 * discounted a set without a CSA on each currency's own OIS curve and the engine on the curve collateralised in the
 * set's collateral currency (the base currency by default): test/data/small's EUR/USD forward T008 in NS_B was
 * 55,629.85 in one and 60,442.59 in the other (8.7%). Reference: the engine's path values at t = 0 (every path holds
 * today's value there, the numeraire is 1), summed over the set's trades.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runSimulation } from '../src/exposure/engine.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import { validateInputs } from '../src/portfolio/validateInputs.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-validate-basis-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('validate MTM = the engine at t = 0 for a set without a CSA', () => {
  it('NS_B of test/data/small (FX forwards under a EUR/USD basis): the same base-currency value to float32 precision', async () => {
    const small = path.resolve('test/data/small');
    const book = path.join(tmp, 'nsb');
    fs.cpSync(small, book, { recursive: true });
    const keep = (file: string, column: string) => {
      const lines = fs.readFileSync(path.join(book, file), 'utf8').trimEnd().split('\n');
      const i = lines[0]!.split(',').indexOf(column);
      fs.writeFileSync(path.join(book, file), [lines[0], ...lines.slice(1).filter((l) => l.split(',')[i] === 'NS_B')].join('\n') + '\n');
    };
    keep('trades.csv', 'netting_set_id');
    keep('netting_sets.csv', 'netting_set_id');
    keep('eligible_collateral.csv', 'netting_set_id');
    const validation = await validateInputs({ portfolioDir: book, marketFile: path.join(book, 'market.yaml') });
    expect(validation.ok).toBe(true);
    const mtm = validation.summary.mtm!;
    expect(mtm.pricedTrades).toBeGreaterThan(0);
    const { portfolio, market } = await loadSimulationInputs(book, path.join(book, 'market.yaml'));
    expect(portfolio.nettingSets.map((n) => n.csa)).toEqual([false]);
    let atZero = Number.NaN;
    await runSimulation({ portfolio, market, options: { paths: 2, seed: 1, threads: 1, antithetic: false, pfeQuantile: 0.95, skipUnsupported: false, cube: true }, onCube: (id, values) => void (id !== null && (atZero = values[0]!)) });
    expect(Math.abs(mtm.base / atZero - 1)).toBeLessThan(1e-6); // the cube is float32 (6e-8 relative)
  });
});
