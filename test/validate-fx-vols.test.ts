/**
 * `xva validate` warns of an FX factor the simulation would need without a volatility (portfolio/validateInputs.ts
 * warnMissingFxVols), as it warns of a rates model it cannot calibrate: docs/simulation.md says simulate runs the
 * checks of validate. An audit found a cross-currency book whose market had no fx.vols.EURUSD passing validate ("OK:
 * no errors") and then refused by simulate. Second source: the simulation's own refusal names the same market column.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simulateToFiles } from '../src/exposure/simulate.js';
import { XvaInputError } from '../src/errors.js';
import { validateInputs } from '../src/portfolio/validateInputs.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-fx-vols-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const market = (vols: string): string => `asOf: 2026-06-30
baseCurrency: USD
curves:
  interpolation: logLinear
  discount:
    USD:
      pillars: [ { tenor: 1Y, zeroRate: 0.04 }, { tenor: 30Y, zeroRate: 0.04 } ]
    EUR:
      pillars: [ { tenor: 1Y, zeroRate: 0.02 }, { tenor: 30Y, zeroRate: 0.02 } ]
fx:
  spots:
    EURUSD: 1.10
${vols}rates:
  USD:
    hullWhite: { meanReversion: 0.03, sigma: 0.01 }
  EUR:
    hullWhite: { meanReversion: 0.03, sigma: 0.01 }
credit:
  defaultRecovery: 0.40
  names:
    CPTY:
      currency: USD
      pillars: [ { tenor: 1Y, spreadBp: 100 }, { tenor: 5Y, spreadBp: 100 } ]
capital:
  costOfCapital: 0.10
  capitalRatio: 0.105
`;

function book(name: string, vols: string): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'market.yaml'), market(vols));
  fs.writeFileSync(path.join(dir, 'counterparties.csv'), 'counterparty_id,name,sector,rating,region,cds_curve,recovery,qccp\nCP1,Cpty One,financial,A,europe,CPTY,0.4,false\n');
  fs.writeFileSync(path.join(dir, 'netting_sets.csv'), 'netting_set_id,counterparty_id,csa\nNS1,CP1,false\n');
  fs.writeFileSync(
    path.join(dir, 'trades.csv'),
    'trade_id,counterparty_id,netting_set_id,product,direction,currency,notional,currency2,notional2,start_date,maturity_date,fixed_rate,fixed_frequency,fixed_day_count,fixed_rate2,notional_exchange\n' +
      'X1,CP1,NS1,XCCY,pay,EUR,10000000,USD,11000000,2026-09-30,2029-09-30,0.02,1Y,ACT/365F,0.04,both\n',
  );
  return dir;
}

const EXPECTED = "market.yaml column fx.vols.EURUSD: missing: expected an FX volatility for EURUSD (or USDEUR): the simulation of the book's EUR against the base USD needs it (xva simulate, cva, fva, optimize and capital's KVA would stop)";

describe('validate: an FX factor of the simulation without a vol is a warning', () => {
  it('no fx.vols.EURUSD: one warning naming it, no error; simulate refuses the same column', async () => {
    const dir = book('no-vol', '');
    const result = await validateInputs({ portfolioDir: dir });
    expect(result.ok).toBe(true);
    expect(result.issues).toEqual([]);
    expect(result.warnings.map((w) => `${w.file} column ${w.column}: ${w.value}: expected ${w.expected}`)).toEqual([EXPECTED]);
    const run = simulateToFiles({ portfolioDir: dir, marketFile: path.join(dir, 'market.yaml'), outDir: path.join(tmp, 'out'), paths: 16, seed: 1, grid: { kind: 'list', tenors: [{ count: 1, unit: 'Y' }] }, threads: 1, antithetic: false, pfeQuantile: 0.95, skipUnsupported: false, cube: false, format: 'arrow' });
    await expect(run).rejects.toBeInstanceOf(XvaInputError);
    await expect(run).rejects.toThrow(/column fx\.vols\.EURUSD/);
  }, 60_000);

  it('the vol given (either way round): no warning', async () => {
    for (const [name, vols] of [['vol', 'EURUSD'], ['inverse', 'USDEUR']] as const) {
      const dir = book(name, `  vols:\n    ${vols}: { vol: 0.10 }\n`);
      const result = await validateInputs({ portfolioDir: dir });
      expect(result.ok).toBe(true);
      expect(result.warnings.filter((w) => w.column?.startsWith('fx.vols'))).toEqual([]);
    }
  });
});
