/**
 * Credit sensitivities of the XVA figures (src/xva/cs01.ts, `xva cva|fva --cs01`), against independent references:
 * - a flat EPE profile E to T = 5y under a one-quote curve (5Y par spread s): with the 'end' discretisation CVA
 *   telescopes to LGD·E·(1 − S(T)), so the parallel CS01 is LGD·E·(S_s(T) − S_{s+1bp}(T)) with S_{s+1bp} bootstrapped
 *   by the market loader from a second market file quoting s + 1bp (a second route to the bumped curve): 1e-9
 *   relative. And the credit triangle (flat hazard λ = s/LGD, dCVA/ds = E·T·e^{−λT}): within 2% (quarterly premiums,
 *   accrual on default and discounting move the ISDA curve's hazard off s/LGD by less than 1%);
 * - on a five-quote curve of the demo market, the tenor CS01s add up to the parallel one (first order: a 1bp bump is
 *   linear to ~1e-4 relative; tolerance 1e-3 of the parallel CS01), and quotes beyond the last exposure date move
 *   nothing (exactly 0);
 * - unilateral mode: a counterparty's curve does not move DVA, the own curve does not move CVA (exactly 0); DVA CS01
 *   of the own curve = LGD_B·Σ ΔPD_B·ENE by hand on the bumped own curve;
 * - the CLI writes xva_cs01.arrow whose rows are the --json rows, and refuses --cs01 with --shard.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMarket, parseMarket } from '../src/market/load.js';
import type { Market } from '../src/market/types.js';
import { type ExposureSet, type XvaOptions } from '../src/xva/compute.js';
import { shockedCurve, type CreditInputs } from '../src/xva/credit.js';
import { tenorLabel, xvaCs01 } from '../src/xva/cs01.js';
import { REPO_ROOT } from './helpers/paths.js';

const END: XvaOptions = { discretisation: 'end', mode: 'unilateral' };
const temps: string[] = [];
afterAll(() => {
  for (const d of temps) fs.rmSync(d, { recursive: true, force: true });
});

function flatSet(counterpartyId: string, epe: number, ene: number, lastYears: number, step = 0.25): ExposureSet {
  const n = Math.round(lastYears / step) + 1;
  const times = Float64Array.from({ length: n }, (_, k) => k * step);
  const epeFlat = new Float64Array(n).fill(epe);
  const collateral = new Float64Array(n);
  const tradeEpe = new Float64Array(0);
  return {
    nettingSetId: `NS-${counterpartyId}`,
    counterpartyId,
    times,
    epe: epeFlat,
    ene: new Float64Array(n).fill(ene),
    collateral,
    epeVm: epeFlat, // no IM held: after VM only = after C
    collateralVm: collateral,
    eneVm: new Float64Array(n).fill(ene), // no IM posted
    epeStdError: new Float64Array(n),
    tradeIds: [],
    tradeEpe,
    tradeEne: new Float64Array(0),
    tradeEpeVm: tradeEpe,
    tradeEneVm: new Float64Array(0),
  };
}

const flatMarket = (spreadBp: number) => `asOf: 2026-06-30
baseCurrency: USD
curves:
  discount:
    USD: { pillars: [ { tenor: 1Y, zeroRate: 0.03 }, { tenor: 30Y, zeroRate: 0.03 } ] }
credit:
  names:
    FLAT: { currency: USD, recovery: 0.4, pillars: [ { tenor: 5Y, spreadBp: ${spreadBp} } ] }
  own: { currency: USD, recovery: 0.4, pillars: [ { tenor: 5Y, spreadBp: 80 } ] }
`;

function creditOf(market: Market, counterparties: Record<string, string>): CreditInputs {
  return {
    counterparties: new Map(Object.entries(counterparties).map(([id, curve]) => [id, { counterpartyId: id, curve: market.creditCurve(curve), curveSource: 'cds' as const, curveName: curve, recovery: 0.4, recoverySource: 'curve' as const }])),
    own: market.ownCredit,
    funding: { currency: 'USD', borrowSpreadBp: 0, lendSpreadBp: 0, collateralSpreadBp: 0 },
    collateralSpreadBp: () => 0,
  };
}

describe('a flat profile under a one-quote curve', () => {
  const E = 1e6;
  const T = 5;
  const market = parseMarket(flatMarket(100), 'flat.yaml');
  const bumped = parseMarket(flatMarket(101), 'flat-101.yaml');
  const rows = xvaCs01([flatSet('A', E, 0, T)], creditOf(market, { A: 'FLAT' }), market, END).rows;

  it('parallel CS01 = LGD·E·(S_s(T) − S_s+1bp(T)), the bumped curve bootstrapped by the loader from 101bp', () => {
    const parallel = rows.find((r) => r.counterpartyId === 'A' && r.tenor === 'parallel')!;
    const hand = 0.6 * E * (market.creditCurve('FLAT').survival(T) - bumped.creditCurve('FLAT').survival(T));
    expect(Math.abs(parallel.cva - hand)).toBeLessThanOrEqual(1e-9 * hand);
    // one quote: its tenor row is the parallel bump (both shift the only quote by 1bp; the parallel adds nothing else)
    const only = rows.find((r) => r.counterpartyId === 'A' && r.tenor === '5Y')!;
    expect(Math.abs(only.cva - parallel.cva)).toBeLessThanOrEqual(1e-6 * hand);
  });

  it('is the credit triangle E·T·e^(−λT)·1bp with λ = s/LGD, within 2%', () => {
    const parallel = rows.find((r) => r.counterpartyId === 'A' && r.tenor === 'parallel')!;
    const lambda = 0.01 / 0.6;
    const triangle = E * T * Math.exp(-lambda * T) * 1e-4;
    expect(Math.abs(parallel.cva / triangle - 1)).toBeLessThan(0.02);
  });

  it('unilateral: the counterparty curve does not move DVA; the own curve moves DVA (by hand) and not CVA', () => {
    const withEne = xvaCs01([flatSet('A', E, 2e6, T)], creditOf(market, { A: 'FLAT' }), market, END).rows;
    for (const r of withEne.filter((x) => x.scope === 'counterparty')) expect(r.dva).toBe(0);
    const own = withEne.filter((r) => r.scope === 'own');
    expect(own.map((r) => r.tenor)).toEqual(['5Y', 'parallel']);
    for (const r of own) expect(r.cva).toBe(0);
    // DVA = LGD_B·Σ(S_B(t_{i−1}) − S_B(t_i))·ENE = 0.6·2e6·(1 − S_B(T)) ('end', flat ENE, reported >= 0): by hand
    const ownCurve = market.ownCredit!;
    const up = shockedCurve(ownCurve, market, 1);
    const hand = 0.6 * 2e6 * (ownCurve.survival(T) - up.survival(T));
    const parallel = own.find((r) => r.tenor === 'parallel')!;
    expect(Math.abs(parallel.dva - hand)).toBeLessThanOrEqual(1e-9 * hand);
    expect(parallel.dva).toBeGreaterThan(0);
  });
});

describe('a five-quote curve (demo market, CP0026 own CDS curve)', () => {
  const market = loadMarket(path.join(REPO_ROOT, 'fixtures/demo/market.yaml'));
  const credit = creditOf(market, { CP0026: 'CP0026' });
  it('the tenor CS01s add up to the parallel CS01; quotes after the last exposure date move nothing', () => {
    const curve = market.creditCurve('CP0026');
    expect(curve.quoteTenorsYears.length).toBeGreaterThanOrEqual(4);
    for (const last of [10, 2.5]) {
      const rows = xvaCs01([flatSet('CP0026', 5e6, 0, last)], credit, market, END).rows.filter((r) => r.scope === 'counterparty');
      const parallel = rows.find((r) => r.tenor === 'parallel')!.cva;
      const buckets = rows.filter((r) => r.tenor !== 'parallel');
      expect(buckets.map((r) => r.tenor)).toEqual(Array.from(curve.quoteTenorsYears, tenorLabel));
      const sum = buckets.reduce((s, r) => s + r.cva, 0);
      expect(Math.abs(sum - parallel)).toBeLessThanOrEqual(1e-3 * parallel);
      // the hazard up to a quote's date depends only on that quote and the earlier ones (bootstrap): later quotes
      // cannot move survival before the previous quote's date, hence not a profile that ends there
      const previous = (i: number) => (i === 0 ? 0 : curve.quoteTenorsYears[i - 1]!);
      buckets.forEach((r, i) => {
        if (previous(i) >= last) expect(r.cva).toBe(0);
      });
    }
  });
});

describe('xva cva --cs01 (the CLI)', () => {
  const xva = (...args: string[]) => spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin/run.js'), ...args], { cwd: REPO_ROOT, encoding: 'utf8' });
  it('writes xva_cs01.arrow with the --json rows, and refuses --cs01 with --shard', () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-cs01-'));
    temps.push(out);
    const data = path.join(REPO_ROOT, 'test/data/ore-swap-flat');
    const r = xva('cva', '--portfolio', data, '--paths', '100', '--grid', '41,6M', '--threads', '1', '--cs01', '--out', out, '--json');
    expect(r.status, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { cs01: { scope: string; counterpartyId: string | null; tenor: string; cva: number; dva: number }[] };
    expect(doc.cs01.length).toBeGreaterThan(1);
    const table = tableFromIPC(fs.readFileSync(path.join(out, 'xva_cs01.arrow')));
    expect(table.numRows).toBe(doc.cs01.length);
    const cva = table.getChild('cva_cs01')!.toArray() as Float64Array;
    const tenor = table.getChild('tenor')!.toArray() as string[];
    doc.cs01.forEach((row, i) => {
      expect(tenor[i]).toBe(row.tenor);
      expect(cva[i]).toBe(row.cva);
    });
    const shard = xva('cva', '--portfolio', data, '--cs01', '--shard', '1/2', '--out', out);
    expect(shard.status).toBe(2);
    expect(shard.stderr).toMatch(/--cs01 is not supported with --shard/);
  }, 120_000);
});
