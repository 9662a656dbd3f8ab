/**
 * CRE52.40 FAQ2: the supervisory delta of an interest-rate option whose forward or strike is <= 0 uses one shift λ
 * per currency such that P + λ > 0 and K + λ > 0. Without a given shift, computeSaccr takes λ = 10bp − min(P, K) over
 * the currency's swaptions (automaticRateShifts). Checked on BCBS 279 Example 1 with the swaption's strike set to
 * −0.5%: λ by hand, and the delta against the CRE52.40 formula written out here with normCdf.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { automaticRateShifts, computeSaccr } from '../src/capital/saccr/index.js';
import { IssueCollector } from '../src/errors.js';
import { normCdf } from '../src/pricing/black.js';
import { validateInputs } from '../src/portfolio/validateInputs.js';
import { loadSaccrInputs } from '../src/capital/saccr/index.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'data', 'saccr', 'bcbs279_ex1');

describe('SA-CCR shift for options on rates <= 0 (CRE52.40 FAQ2)', () => {
  it('λ = 10bp − min(P, K) for the currency, and the shifted CRE52.40 delta', async () => {
    const validation = await validateInputs({ portfolioDir: dir });
    const issues = new IssueCollector();
    const inputs = await loadSaccrInputs(dir, issues);
    const portfolio = validation.portfolio;
    const strike = -0.005;
    const trades = portfolio.trades.map((t) => (t.product === 'SWAPTION' ? { ...t, fixedLeg: { ...t.fixedLeg, fixedRate: strike } } : t));
    const book = { ...portfolio, trades };
    const shifts = automaticRateShifts(book, validation.market!);
    const swaption = trades.find((t) => t.product === 'SWAPTION')!;
    const ccy = swaption.product === 'SWAPTION' ? swaption.fixedLeg.currency : 'USD';
    expect(shifts[ccy]).toBeCloseTo(0.001 - strike, 15);
    // a given shift wins
    expect(automaticRateShifts(book, validation.market!, { [ccy]: 0.02 })[ccy]).toBe(0.02);
    // the unshifted book needs none
    expect(automaticRateShifts(portfolio, validation.market!)[ccy]).toBeUndefined();

    const r = computeSaccr(book, validation.market!, inputs);
    const t = r.trades.find((x) => x.tradeId === swaption.tradeId)!;
    const o = t.optionality!;
    expect(o.kind).toBe('option');
    if (o.kind !== 'option') return;
    expect(o.shift).toBeCloseTo(0.006, 15);
    // CRE52.40: δ = ±Φ(±(ln((P+λ)/(K+λ)) + ½σ²T)/(σ√T)), σ = 50% for IR, T = exercise years; bought payer = call
    const sigma = 0.5;
    const T = t.exerciseYears!;
    const d1 = (Math.log((o.underlyingPrice + o.shift) / (o.strike + o.shift)) + 0.5 * sigma * sigma * T) / (sigma * Math.sqrt(T));
    const expected = (o.bought ? 1 : -1) * (o.optionType === 'call' ? normCdf(d1) : -normCdf(-d1));
    expect(Math.abs(t.supervisoryDelta - expected)).toBeLessThan(1e-12);
  });
});
