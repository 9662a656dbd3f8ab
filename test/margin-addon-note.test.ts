/**
 * SIMM's product add-on is Param_AddOnNotionalFactor (percent) times the netting set's Notional rows of that product
 * (ISDA SIMM, "Add-on"): a factor whose product has no Notional row adds 0, as the methodology gives, and `xva margin
 * --crif` says so once per netting set and product (an audit's note: a misspelt product name otherwise passed unseen).
 * Reference: the add-on by hand, 5% of 1,000 for the matched product.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runMargin } from '../src/margin/run.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-addon-note-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const HEADER = 'TradeID,PortfolioID,ProductClass,RiskType,Qualifier,Bucket,Label1,Label2,Amount,AmountCurrency,AmountUSD';

describe('a product add-on factor without a Notional of its product', () => {
  it('adds 0 and is said once per netting set and product; a matched one adds factor × notional and says nothing', async () => {
    const file = path.join(tmp, 'crif.csv');
    fs.writeFileSync(
      file,
      [
        HEADER,
        ',P,,Param_AddOnNotionalFactor,Prod A,,,,5,,',
        ',P,,Param_AddOnNotionalFactor,Prod A,,,,5,,',
        ',P,,Param_AddOnNotionalFactor,Prod B,,,,5,,',
        'T1,P,RatesFX,Risk_IRCurve,USD,1,5y,OIS,100,USD,100',
        'T1,P,,Notional,Prod B,,,,1000,USD,1000',
      ].join('\n') + '\n',
    );
    const run = await runMargin({ crifFile: file, usePortfolio: false });
    expect(run.notes.filter((n) => n.includes('Param_AddOnNotionalFactor'))).toEqual([
      "crif.csv: Param_AddOnNotionalFactor for product 'Prod A' in P has no Notional row of that product: its add-on is 0 (check the product's name)",
    ]);
    // the add-on is Prod B's alone: 5% of 1,000
    const call = run.simm.find((s) => s.portfolioId === 'P' && s.side === 'Call');
    expect(call?.addOn).toBeCloseTo(50, 9);
  });
});
