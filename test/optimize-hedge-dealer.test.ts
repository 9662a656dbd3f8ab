/**
 * The cva_hedge lever's dealer on a market without a financial proxy curve (every counterparty with a CDS curve of its
 * own: a legitimate market), and on a book whose HDG-DEALER-CSA netting set belongs to another counterparty: input
 * errors (exit 2) naming the market's credit.proxies and the four curves looked for, or the netting_sets file's
 * counterparty_id, as the novation lever does for its CCP proxy (docs/optimize-hedges.md, "Whom the hedges are bought
 * from"). An audit found the first reported as "internal error ... please report it" with exit 1, no output written,
 * and a message asking to "name the dealer", which the CLI cannot.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from './helpers/paths.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-hedge-dealer-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const MARKET = `asOf: 2026-06-30
baseCurrency: USD
curves:
  interpolation: logLinear
  discount:
    USD:
      pillars: [ { tenor: 1Y, zeroRate: 0.04 }, { tenor: 30Y, zeroRate: 0.04 } ]
  projection:
    USD-SOFR:
      pillars: [ { tenor: 1Y, zeroRate: 0.041 }, { tenor: 30Y, zeroRate: 0.041 } ]
rates:
  USD:
    hullWhite: { meanReversion: 0.03, sigma: 0.01 }
credit:
  defaultRecovery: 0.40
  names:
    CPTY:
      currency: USD
      pillars: [ { tenor: 1Y, spreadBp: 100 }, { tenor: 5Y, spreadBp: 100 } ]
  own:
    pillars: [ { tenor: 1Y, spreadBp: 50 }, { tenor: 5Y, spreadBp: 50 } ]
funding:
  USD: { borrowSpreadBp: 60, lendSpreadBp: 20 }
capital:
  costOfCapital: 0.10
  capitalRatio: 0.105
`;

function book(name: string, nettingSets: string): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'market.yaml'), MARKET);
  fs.writeFileSync(path.join(dir, 'counterparties.csv'), 'counterparty_id,name,sector,rating,region,cds_curve,recovery,qccp\nCP1,Cpty One,financial,A,north_america,CPTY,0.4,false\nCP2,Cpty Two,financial,A,north_america,CPTY,0.4,false\n');
  fs.writeFileSync(path.join(dir, 'netting_sets.csv'), nettingSets);
  fs.writeFileSync(
    path.join(dir, 'trades.csv'),
    'trade_id,counterparty_id,netting_set_id,product,direction,currency,notional,start_date,maturity_date,fixed_rate,fixed_frequency,fixed_day_count,float_index,float_frequency,float_day_count\n' +
      'S1,CP1,NS1,IRS,pay,USD,10000000,2026-07-02,2031-07-02,0.03,1Y,30/360,USD-SOFR,1Y,ACT/360\n',
  );
  return dir;
}

function optimize(dir: string, out: string) {
  return spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/run.js'), 'optimize', '--portfolio', dir, '--out', out, '--paths', '64', '--levers', 'cva_hedge'], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    env: { ...process.env, XVA_DEBUG: '' },
  });
}

describe('the cva_hedge lever: its dealer is input, not an internal error', () => {
  it('no financial proxy curve in the market: exit 2 naming credit.proxies and the curves looked for; nothing written', () => {
    const dir = book('no-proxy', 'netting_set_id,counterparty_id,csa\nNS1,CP1,false\n');
    const out = path.join(tmp, 'out-no-proxy');
    const run = optimize(dir, out);
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toContain(
      'market file column credit.proxies: financial-A-north_america, financial-AA-north_america, financial-AAA-north_america, financial-BBB-north_america: expected a proxy curve of one of these for the dealer HDG-DEALER that the cva_hedge lever buys CDS hedges from (docs/optimize-hedges.md); or leave the lever out (--levers without cva_hedge)',
    );
    expect(run.stderr).not.toContain('internal error');
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(fs.existsSync(out)).toBe(false);
  }, 60_000);

  it('HDG-DEALER-CSA held by another counterparty: exit 2 naming the netting_sets file, its counterparty_id and the set', () => {
    // a proxy for the dealer, so that the dealer is found and the set's owner is what stops the lever
    const dir = book('taken-set', 'netting_set_id,counterparty_id,csa\nNS1,CP1,false\nHDG-DEALER-CSA,CP2,false\n');
    const market = fs.readFileSync(path.join(dir, 'market.yaml'), 'utf8').replace('  own:\n', '  proxies:\n    - { sector: financial, rating: A, pillars: [ { tenor: 1Y, spreadBp: 80 }, { tenor: 5Y, spreadBp: 80 } ] }\n  own:\n');
    fs.writeFileSync(path.join(dir, 'market.yaml'), market);
    const out = path.join(tmp, 'out-taken');
    const run = optimize(dir, out);
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toContain(
      `${path.join(dir, 'netting_sets.csv')} column counterparty_id: HDG-DEALER-CSA: CP2: expected HDG-DEALER: the cva_hedge lever books its hedges in netting set HDG-DEALER-CSA with its dealer HDG-DEALER; rename that netting set, or leave the lever out (--levers without cva_hedge)`,
    );
    expect(run.stderr).not.toContain('internal error');
    expect(fs.existsSync(out)).toBe(false);
  }, 60_000);
});
