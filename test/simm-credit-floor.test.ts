/**
 * SIMM CreditQ sensitivities on a credit curve at the edge of a non-negative hazard (every quote ~0bp, as a −100bp
 * stress of a tight name leaves it): bumping a short tenor by 1bp makes the next tenor's ~0bp spread need a negative
 * hazard. The bump's curve then floors that interval's hazard at 0 and the run says so, as the XVA stress does with a
 * shocked curve; it used to stop `xva margin` with an internal error. References: the credit triangle for the bumped
 * 1y hazard, λ ≈ s/(1 − R) (1bp at recovery 0.4: 1.667e-4; the ISDA model's accrual and discounting move it by under
 * 2% at 1y), and the floor itself (hazard exactly 0 on the next interval). The CS01 and SA-CVA tenor bump likewise.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { fromYmd } from '../src/conventions/dates.js';
import { parseMarket } from '../src/market/load.js';
import { rebootstrapCredit, tradeSensitivities } from '../src/margin/sensitivities/trade.js';
import { creditInputs, tenorShockedCurve } from '../src/xva/credit.js';
import { sensitivityPlan } from '../src/capital/sacvaSensitivities.js';
import { IssueCollector } from '../src/errors.js';
import { loadPortfolio } from '../src/portfolio/load.js';
import type { CreditDefaultSwap } from '../src/products/types.js';
import { REPO_ROOT } from './helpers/paths.js';

const MARKET_FILE = path.join(REPO_ROOT, 'fixtures/demo/market.yaml');

/** The demo market with `name` (default ZENITH_ELECTRONICS) quoted at 0.000001bp on every tenor. */
function flatZeroMarket(name = 'ZENITH_ELECTRONICS') {
  const lines = fs.readFileSync(MARKET_FILE, 'utf8').split('\n');
  const at = lines.indexOf(`    ${name}:`);
  expect(at).toBeGreaterThan(0);
  for (let i = at + 1; i < at + 10 && lines[i]!.startsWith('      '); i++) lines[i] = lines[i]!.replace(/spreadBp: [0-9.]+/, 'spreadBp: 0.000001');
  return parseMarket(lines.join('\n'), 'market.yaml');
}

describe('SIMM CreditQ bumps on a curve quoted at ~0bp', () => {
  it('the bumped curve floors the next hazard at 0 (credit triangle for the bumped one), and the CDS gets its sensitivities with a note', () => {
    const market = flatZeroMarket();
    const curve = market.creditCurve('ZENITH_ELECTRONICS');
    const floored: string[] = [];
    const bumped = rebootstrapCredit(market, curve, (t) => (t <= 1 ? 1 : 0), (tenor) => floored.push(tenor));
    expect(floored[0]).toBe('3Y');
    expect(Math.abs(bumped.hazards[0]! / (1e-4 / (1 - curve.recovery)) - 1)).toBeLessThan(0.02);
    expect(bumped.hazards[1]).toBe(0);
    const cds: CreditDefaultSwap = {
      tradeId: 'Z1', counterpartyId: 'CP-A', nettingSetId: 'NS-A', cleared: false, product: 'CDS', direction: 'buy', referenceEntity: 'ZENITH_ELECTRONICS',
      currency: 'JPY', notional: 1e9, fixedRate: 0.01, startDate: fromYmd(2026, 3, 20), maturityDate: fromYmd(2031, 6, 20), frequency: '3M', dayCount: 'ACT/360',
    };
    const result = tradeSensitivities(cds, { market });
    expect(result.notes).toContain('SIMM: credit curve ZENITH_ELECTRONICS bumped 1bp at 1y needs a negative hazard rate at 3Y: floored at 0 for the CreditQ sensitivities (that quote is not repriced, so the bump also lifts the later tenors: the tenor sensitivities overstate the parallel one)');
    // protection bought: wider spreads raise its value, at every tenor that moves
    const creditQ = result.rows.filter((r) => r.riskType === 'Risk_CreditQ');
    expect(creditQ.length).toBeGreaterThan(2);
    for (const r of creditQ) expect(r.amountUsd).toBeGreaterThan(0);
  });

  it('the CS01 and SA-CVA tenor bump (tenorShockedCurve) floors likewise and says so, where it used to stop xva cva --cs01 and xva capital', () => {
    const market = flatZeroMarket();
    const curve = market.creditCurve('ZENITH_ELECTRONICS');
    const notes: string[] = [];
    const bumped = tenorShockedCurve(curve, market, 0, new Map(), 1, notes);
    expect(Math.abs(bumped.hazards[0]! / (1e-4 / (1 - curve.recovery)) - 1)).toBeLessThan(0.02);
    for (let k = 1; k < bumped.hazards.length; k++) expect(bumped.hazards[k]).toBe(0);
    expect(notes).toEqual(['credit curve ZENITH_ELECTRONICS with its 1Y quote +1bp: the 3Y, 5Y, 7Y, 10Y spreads are below what a zero hazard rate gives after it, so the hazard rate is floored at 0 there (not repriced: the bump also lifts those tenors, so the tenor sensitivities overstate the parallel one)']);
  });

  it('SA-CVA\'s bump plan carries the tenor bumps\' notes (xva capital writes them, "SA-CVA: ..."): one per bumped tenor before the last', async () => {
    // CP0001, a demo counterparty on its own CDS curve, quoted at ~0bp: each tenor's +1bp lifts every later interval
    const market = flatZeroMarket('CP0001');
    const issues = new IssueCollector();
    const portfolio = await loadPortfolio(path.join(REPO_ROOT, 'fixtures/demo'), issues, { baseCurrency: market.baseCurrency });
    const exposed = new Set(['CP0001']);
    const plan = sensitivityPlan({ portfolio, market, credit: creditInputs(portfolio, market, exposed), exposedCounterparties: exposed });
    // quotes 1Y, 3Y, 5Y, 7Y, 10Y: MAR50.65's tenor bumps 1Y, 3Y, 5Y (the 7Y quote 0.6bp) and 10Y (7Y 0.4bp, 10Y 1bp);
    // every bump but the 10Y one lifts a quote above a later ~0bp one, whose hazard is floored
    expect(Array.from(market.creditCurve('CP0001').quoteTenorsYears)).toEqual([1, 3, 5, 7, 10]);
    expect(plan.credit.filter((b) => b.counterpartyId === 'CP0001').map((b) => b.riskFactor)).toEqual(['CP0001/1Y', 'CP0001/3Y', 'CP0001/5Y', 'CP0001/10Y']);
    expect(plan.notes).toHaveLength(3);
    ['1Y', '3Y', '5Y'].forEach((tenor, i) => expect(plan.notes[i]).toMatch(new RegExp(`^credit curve CP0001 bumped 1bp at ${tenor} \\(MAR50\\.65\\): the .* floored at 0 there`)));
    // a curve quoted in bp as the demo's: no note
    const demo = parseMarket(fs.readFileSync(MARKET_FILE, 'utf8'), 'market.yaml');
    expect(sensitivityPlan({ portfolio, market: demo, credit: creditInputs(portfolio, demo, exposed), exposedCounterparties: exposed }).notes).toEqual([]);
  });

  it('a curve the loader accepts on its own currency (JPY) but past the edge on the base currency\'s OIS curve: the SIMM rebuild is on JPY\'s, the loaded curve, no floor', () => {
    // 1Y 100bp then 34bp: just inside a non-negative hazard on the JPY curve the loader uses, past it on USD's
    const lines = fs.readFileSync(MARKET_FILE, 'utf8').split('\n');
    const at = lines.indexOf('    ZENITH_ELECTRONICS:');
    for (let i = at + 1; i < at + 10 && lines[i]!.startsWith('      '); i++) lines[i] = lines[i]!.replace(/spreadBp: [0-9.]+/, lines[i]!.includes('1Y') ? 'spreadBp: 100' : 'spreadBp: 34');
    const market = parseMarket(lines.join('\n'), 'market.yaml');
    const cds: CreditDefaultSwap = {
      tradeId: 'Z1', counterpartyId: 'CP-A', nettingSetId: 'NS-A', cleared: false, product: 'CDS', direction: 'buy', referenceEntity: 'ZENITH_ELECTRONICS',
      currency: 'JPY', notional: 1e9, fixedRate: 0.01, startDate: fromYmd(2026, 3, 20), maturityDate: fromYmd(2031, 6, 20), frequency: '3M', dayCount: 'ACT/360',
    };
    // the forty-second session rebuilt it on the USD OIS curve, past the edge there (floored, with a note); the
    // forty-third's SIMM audit found the credit deltas of a non-USD name 0.2-3.7% off the market file's own re-price:
    // the rebuild is now on the curve's own currency, which gives back the loaded hazards exactly
    const curve = market.creditCurve('ZENITH_ELECTRONICS');
    const rebuilt = rebootstrapCredit(market, curve, () => 0);
    expect(rebuilt.hazards.length).toBe(curve.hazards.length);
    for (let k = 0; k < curve.hazards.length; k++) expect(Math.abs(rebuilt.hazards[k]! - curve.hazards[k]!)).toBeLessThan(1e-12);
    const result = tradeSensitivities(cds, { market });
    expect(result.notes.filter((n) => n.includes('rebuilt'))).toEqual([]);
    // protection bought on a 5y name: the 5y vertex carries it, positive (the floored base moves the split, not the sign)
    const fiveYear = result.rows.find((r) => r.riskType === 'Risk_CreditQ' && r.label1 === '5y');
    expect(fiveYear!.amountUsd).toBeGreaterThan(0);
  });
});
