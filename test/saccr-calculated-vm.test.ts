/**
 * SA-CCR's variation margin for a margined netting set without a `collateral_balances` row (src/capital/saccr/collateral.ts,
 * docs/capital.md "Collateral without a balance"): none by default, the CSA's call at today's value with
 * `calculate_vm` (ORE's CalculateVMAmount).
 *
 * References, by hand from the Basel text: C = NICA + VM (CRE52.10, CRE52.18(1)); RC = max(V − C, TH + MTA − NICA, 0)
 * (CRE52.18); multiplier = min(1, 0.05 + 0.95·exp((V − C)/(2·0.95·AddOn))) (CRE52.23); EAD = 1.4·(RC + multiplier·
 * AddOn) (CRE52.1), capped at the unmargined EAD (CRE52.2). The called VM is V − clamp(V, −TH_bank, TH_cpty): the
 * counterparty posts what V exceeds its threshold by, the bank what −V exceeds its own by (the ISDA CSA's Credit Support
 * Amount with the independent amounts kept apart, as NICA). The add-ons are the library's (tested against BCBS 279 in
 * saccr.test.ts): V and C change only RC and the multiplier, which is what is checked. Tolerance 1e-9 relative (the same
 * arithmetic in another order). Also: the KVA projection's margined paths use the same rule, so its t = 0 equals today's
 * EAD; the portfolio column is read, written and reported.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IssueCollector } from '../src/errors.js';
import { computeSaccr, SACCR_PARAMETERS, type SaccrNettingSetResult, type SaccrOptions } from '../src/capital/saccr/index.js';
import { calculatedVariationMargin } from '../src/capital/saccr/collateral.js';
import { projectedEad } from '../src/capital/kva.js';
import { kvaNettingSet, variationMarginNotes } from '../src/capital/run.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import { writeTable } from '../src/io/write.js';
import { loadPortfolio } from '../src/portfolio/load.js';
import { portfolioTables } from '../src/portfolio/writeRows.js';
import type { NettingSet, Portfolio } from '../src/portfolio/types.js';
import type { Market } from '../src/market/types.js';

const DIR = path.resolve('test/data/kva_single_swap');
const p = SACCR_PARAMETERS;

let cached: { market: Market; portfolio: Portfolio } | undefined;
async function book() {
  cached ??= await loadSimulationInputs(DIR, path.join(DIR, 'market.yaml'));
  return cached;
}

/** The single-swap book with NS_S margined under `terms` (EUR amounts; the base currency is EUR). */
async function margined(terms: Partial<NettingSet>): Promise<{ market: Market; portfolio: Portfolio }> {
  const { market, portfolio } = await book();
  const ns: NettingSet = { ...portfolio.nettingSets[0]!, csa: true, marginPeriodOfRiskDays: 10, marginFrequencyDays: 1, ...terms };
  return { market, portfolio: { ...portfolio, nettingSets: [ns] } };
}

async function saccrOf(terms: Partial<NettingSet>, options: SaccrOptions = {}): Promise<SaccrNettingSetResult> {
  const { market, portfolio } = await margined(terms);
  return computeSaccr(portfolio, market, options).nettingSets[0]!;
}

const mult = (x: number, addOn: number) => Math.min(1, 0.05 + 0.95 * Math.exp(x / (2 * 0.95 * addOn)));
function close(actual: number, expected: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
}

/** EAD by hand from V, C, the floor TH + MTA − NICA and the two add-ons (margined and unmargined, CRE52.2). */
function handEad(r: SaccrNettingSetResult, value: number, collateral: number, floor: number): number {
  const addOnM = r.pfe.aggregateAddOn;
  const addOnU = r.unmargined!.pfe.aggregateAddOn;
  const x = value - collateral;
  const m = 1.4 * (Math.max(x, floor, 0) + mult(x, addOnM) * addOnM);
  const u = 1.4 * (Math.max(x, 0) + mult(x, addOnU) * addOnU);
  return Math.min(m, u);
}

describe('calculatedVariationMargin: V − clamp(V, −TH_bank, TH_cpty)', () => {
  it('calls beyond the thresholds both ways, nothing inside them, V itself with ORE', () => {
    expect(calculatedVariationMargin(3e6, 1e6, 5e5)).toBe(2e6); // the counterparty posts above its 1m
    expect(calculatedVariationMargin(-3e6, 1e6, 5e5)).toBe(-2.5e6); // the bank posts below −0.5m
    expect(calculatedVariationMargin(4e5, 1e6, 5e5)).toBe(0);
    expect(calculatedVariationMargin(-4e5, 1e6, 5e5)).toBe(0);
    expect(calculatedVariationMargin(3e6, 0, 0)).toBe(3e6);
    expect(calculatedVariationMargin(3e6, 1e6, 5e5, true)).toBe(3e6); // ORE: VM = NPV whatever the thresholds
  });
});

describe('SA-CCR of a margined set without a balance (one swap, V set by trade_values)', () => {
  const value = (v: number): SaccrOptions => ({ nettingSetValues: new Map([['NS_S', v]]) });

  it('holds no VM by default: C = 0 and RC = V, as before', async () => {
    const r = await saccrOf({ thresholdCpty: 1e6, mtaCpty: 2e5 }, value(3e6));
    expect(r.variationMarginCalculated).toBe(false);
    expect(r.variationMargin).toBe(0);
    expect(r.collateral).toBe(0);
    close(r.replacementCost, 3e6);
    close(r.ead, handEad(r, 3e6, 0, 1.2e6));
  });

  it('calculate_vm, V above the counterparty threshold: VM = V − TH_cpty, RC = TH + MTA (the floor binds)', async () => {
    const r = await saccrOf({ thresholdCpty: 1e6, thresholdBank: 5e5, mtaCpty: 2e5, calculateVm: true }, value(3e6));
    expect(r.variationMarginCalculated).toBe(true);
    close(r.variationMargin, 2e6);
    close(r.collateral, 2e6);
    close(r.replacementCost, 1.2e6); // max(V − C = 1m, TH + MTA − NICA = 1.2m, 0)
    close(r.ead, handEad(r, 3e6, 2e6, 1.2e6));
    expect(r.ead).toBeLessThan((await saccrOf({ thresholdCpty: 1e6, thresholdBank: 5e5, mtaCpty: 2e5 }, value(3e6))).ead);
  });

  it('calculate_vm, V below minus the bank threshold: the bank has posted −V − TH_bank, V − C = −TH_bank', async () => {
    const r = await saccrOf({ thresholdCpty: 1e6, thresholdBank: 5e5, mtaCpty: 2e5, calculateVm: true }, value(-3e6));
    close(r.variationMargin, -2.5e6);
    close(r.replacementCost, 1.2e6);
    close(r.pfe.multiplier, mult(-5e5, r.pfe.aggregateAddOn)); // the multiplier sees V − C = −0.5m
    close(r.ead, handEad(r, -3e6, -2.5e6, 1.2e6));
  });

  it('calculate_vm inside the thresholds: no call, C = NICA', async () => {
    const r = await saccrOf({ thresholdCpty: 1e6, thresholdBank: 5e5, independentAmountCpty: 1e5, calculateVm: true }, value(6e5));
    close(r.variationMargin, 0);
    close(r.nica, 1e5); // the CSA's independent amount received (CRE52.17)
    close(r.collateral, 1e5);
    close(r.replacementCost, Math.max(6e5 - 1e5, 1e6 - 1e5)); // 0.9m: the floor TH + MTA − NICA
    close(r.ead, handEad(r, 6e5, 1e5, 9e5));
  });

  it('zero thresholds (a CCP account): C = V, RC = MTA, multiplier 1', async () => {
    const r = await saccrOf({ calculateVm: true, cleared: true, ccp: 'LCH' }, value(3e6));
    close(r.collateral, 3e6);
    expect(r.replacementCost).toBe(0);
    expect(r.pfe.multiplier).toBe(1);
    close(r.ead, 1.4 * r.pfe.aggregateAddOn);
  });

  it("ORE's convention: VM = V whatever the thresholds", async () => {
    const r = await saccrOf({ thresholdCpty: 1e6, calculateVm: true }, { ...value(3e6), convention: 'ore' });
    close(r.variationMargin, 3e6);
    close(r.replacementCost, 1e6); // max(0, TH + MTA − NICA = 1m, 0)
  });

  it('a balance row wins over calculate_vm, and an unmargined set never calculates', async () => {
    const balances = new Map([['NS_S', { nettingSetId: 'NS_S', variationMargin: 7e5, postedSegregated: false }]]);
    const r = await saccrOf({ thresholdCpty: 1e6, calculateVm: true }, { ...value(3e6), collateralBalances: balances });
    expect(r.variationMarginCalculated).toBe(false);
    close(r.variationMargin, 7e5);
    const u = await saccrOf({ csa: false, calculateVm: true }, value(3e6));
    expect(u.variationMarginCalculated).toBe(false);
    expect(u.collateral).toBe(0);
    close(u.replacementCost, 3e6);
  });

  it("with the swap's own price: the KVA projection at t = 0 equals today's EAD (the same VM rule)", async () => {
    for (const calculateVm of [true, false]) {
      const { market, portfolio } = await margined({ thresholdCpty: 2e4, thresholdBank: 1e4, mtaCpty: 5e3, calculateVm });
      const saccr = computeSaccr(portfolio, market);
      const ns = saccr.nettingSets[0]!;
      expect(Math.abs(ns.value)).toBeGreaterThan(2e4); // the threshold binds on one side
      const positions = new Map([['NS_S', saccr.trades.map((t) => t)]]);
      const kva = kvaNettingSet(ns, portfolio.nettingSets[0]!, positions as never, market, true);
      const ead0 = projectedEad(kva, Float64Array.of(0), Float32Array.of(ns.value), 1, true, p)[0]!;
      const f32 = Math.abs(ns.value - Math.fround(ns.value)) * 1.4 + 1e-6; // the projection reads V as Float32
      if (calculateVm) expect(Math.abs(ead0 - ns.ead)).toBeLessThanOrEqual(f32 + 1e-9 * ns.ead);
      // without a VM today's V − C is the whole V, while the projection clamps it at the thresholds: they differ
      else expect(Math.abs(ns.ead - ead0)).toBeGreaterThan(1e3);
    }
  });
});

describe('the netting_sets column calculate_vm', () => {
  it('is read, written back only when a set has it, and reported in the capital notes', async () => {
    const { portfolio } = await margined({ calculateVm: true });
    const write = (p: Portfolio, dir: string) => {
      for (const [name, table] of Object.entries(portfolioTables(p))) writeTable(path.join(dir, `${name}.csv`), table, 'csv');
    };
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-calcvm-'));
    try {
      write(portfolio, dir);
      const header = fs.readFileSync(path.join(dir, 'netting_sets.csv'), 'utf8').split(/\r?\n/)[0]!;
      expect(header.split(',')).toContain('calculate_vm');
      const issues = new IssueCollector();
      const back = await loadPortfolio(dir, issues);
      expect(issues.issues).toEqual([]);
      expect(back.nettingSets[0]!.calculateVm).toBe(true);
      // a book without it is written as before: no column
      const plain = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-calcvm-'));
      write((await book()).portfolio, plain);
      expect(fs.readFileSync(path.join(plain, 'netting_sets.csv'), 'utf8').split(/\r?\n/)[0]).not.toContain('calculate_vm');
      fs.rmSync(plain, { recursive: true, force: true });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    const sets = [
      { nettingSetId: 'A', margined: true, variationMarginCalculated: false },
      { nettingSetId: 'B', margined: true, variationMarginCalculated: true },
      { nettingSetId: 'C', margined: false, variationMarginCalculated: false },
      { nettingSetId: 'D', margined: true, variationMarginCalculated: false },
    ] as SaccrNettingSetResult[];
    expect(variationMarginNotes(sets, new Map([['D', {}]]))).toEqual([
      'SA-CCR: 1 margined netting set has no collateral_balances row and holds no variation margin (A); give their balances, or calculate_vm true in netting_sets to take the VM the CSA calls for at today\'s value',
      "SA-CCR: 1 margined netting set without a balance takes the VM the CSA calls for at today's value (calculate_vm: B)",
    ]);
  });
});
