/**
 * `xva import ore`: netting sets and counterparties (docs/import-ore.md "Netting sets", "Counterparties"; the ORE import
 * audit of helper 165, fixed by helper 167). Reference: the XML below, read by hand, and ORE's readers as cited:
 * - Envelope::fromXML takes `NettingSetDetails` (newer ORE) when given, else `NettingSetId`; the details' other keys
 *   (AgreementType, CallType, InitialMarginType, LegalEntityId) are part of ORE's netting set key.
 * - MarginPeriodOfRisk and CallFrequency beyond the netting_sets table's limits (portfolio/bookRows.ts: at most 250
 *   business days each) are refused at import, as a negative threshold is (XvaInputError: file, line, field, value,
 *   expectation), not written for `xva validate` to refuse later. 1Y = 365.25 calendar days x 5/7 = 260.9 → 261
 *   business days (conventions.ts orePeriodBusinessDays); 50W = 250 exactly, the largest accepted.
 * - cds_curve is left blank (a market without a curve per counterparty serves the book through its proxies: README's
 *   import onto the demo market), and the report says which column to fill where the market has ORE's curve, keyed by
 *   the CounterpartyId (ORE's swap_flat_xva: credit.names.CPTY_A in test/data/ore-swap-flat/market.yaml).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { XvaInputError, type InputIssue } from '../src/errors.js';
import { importOre } from '../src/import/ore/index.js';
import { formatIssue } from '../src/errors.js';
import { writeOreImport } from '../src/import/ore/write.js';
import { portfolio } from './helpers/oreXml.js';
import { SHARED_REFERENCE } from './helpers/paths.js';
import { ensureBuilt, xva } from './helpers/scaleCli.js';

const temps: string[] = [];
afterAll(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

/** A 5Y EUR fixed/float swap with the given Envelope inner XML (CounterParty CP). */
function swap(id: string, envelope: string): string {
  const rules = '<StartDate>2026-07-02</StartDate><EndDate>2031-07-02</EndDate><Calendar>TARGET</Calendar><Convention>MF</Convention><Rule>Forward</Rule>';
  return `<Trade id="${id}"><TradeType>Swap</TradeType><Envelope><CounterParty>CP</CounterParty>${envelope}</Envelope><SwapData>
<LegData><LegType>Fixed</LegType><Payer>false</Payer><Currency>EUR</Currency><Notionals><Notional>10000000</Notional></Notionals><DayCounter>A360</DayCounter>
<FixedLegData><Rates><Rate>0.02</Rate></Rates></FixedLegData><ScheduleData><Rules>${rules}<Tenor>1Y</Tenor></Rules></ScheduleData></LegData>
<LegData><LegType>Floating</LegType><Payer>true</Payer><Currency>EUR</Currency><Notionals><Notional>10000000</Notional></Notionals><DayCounter>A360</DayCounter>
<FloatingLegData><Index>EUR-EURIBOR-6M</Index><Spreads><Spread>0</Spread></Spreads><FixingDays>2</FixingDays></FloatingLegData><ScheduleData><Rules>${rules}<Tenor>6M</Tenor></Rules></ScheduleData></LegData>
</SwapData></Trade>`;
}

/** netting.xml with one netting set; `csa` is the CSADetails inner XML. */
function netting(idXml: string, csa: string): string {
  return `<?xml version="1.0"?>\n<NettingSetDefinitions>\n<NettingSet>${idXml}<ActiveCSAFlag>true</ActiveCSAFlag>
<CSADetails><Bilateral>Bilateral</Bilateral><CSACurrency>EUR</CSACurrency><ThresholdPay>0</ThresholdPay><ThresholdReceive>0</ThresholdReceive>
<MinimumTransferAmountPay>0</MinimumTransferAmountPay><MinimumTransferAmountReceive>0</MinimumTransferAmountReceive>${csa}</CSADetails></NettingSet>\n</NettingSetDefinitions>\n`;
}

const TERMS = '<MarginingFrequency><CallFrequency>1D</CallFrequency><PostFrequency>1D</PostFrequency></MarginingFrequency><MarginPeriodOfRisk>2W</MarginPeriodOfRisk>';

describe("the Envelope's NettingSetDetails (newer ORE) names the trade's netting set", () => {
  it("a trade with NettingSetDetails/NettingSetId NS1 is in netting.xml's NS1 (its CSA, its counterparty); AgreementType is reported as not carried over", () => {
    const r = importOre({
      portfolioXml: portfolio(swap('T1', '<NettingSetDetails><NettingSetId>NS1</NettingSetId><AgreementType>ISDA</AgreementType></NettingSetDetails>')),
      nettingXml: netting('<NettingSetDetails><NettingSetId>NS1</NettingSetId><CallType>Bilateral</CallType></NettingSetDetails>', TERMS),
    });
    expect(r.rows.trades.map((t) => [t.trade_id, t.counterparty_id, t.netting_set_id])).toEqual([['T1', 'CP', 'NS1']]);
    // one netting set, NS1 with its CSA, owned by the trade's counterparty (no UNNETTED_T1, no invented counterparty NS1)
    expect(r.rows.nettingSets.map((n) => [n.netting_set_id, n.counterparty_id, n.csa, n.margin_period_of_risk_days])).toEqual([['NS1', 'CP', true, 10]]);
    expect(r.rows.counterparties.map((c) => c.counterparty_id)).toEqual(['CP']);
    expect(r.report.counts).toMatchObject({ nettingSets: 1, nettingSetsDefaulted: 0, counterpartiesDefaulted: 1 });
    const why =
      "xva keys a netting set by its NettingSetId alone: ORE's key is the whole NettingSetDetails, so netting sets differing only in this field are one netting set in xva";
    expect(r.report.findings.filter((f) => f.kind === 'unmapped_field').map((f) => [f.tradeId ?? f.nettingSetId, f.field, f.value, f.reason])).toEqual([
      ['T1', 'Envelope/NettingSetDetails/AgreementType', 'ISDA', why],
      ['NS1', 'NettingSetDetails/CallType', 'Bilateral', why],
    ]);
    expect(r.report.findings.filter((f) => f.field === 'Envelope/NettingSetId' || f.field === 'counterparty_id')).toEqual([]);
  });

  it('NettingSetId alone still works; NettingSetDetails without an id is no netting set (UNNETTED_<id>, reported)', () => {
    const r = importOre({ portfolioXml: portfolio(swap('A', '<NettingSetId>NS_A</NettingSetId>'), swap('B', '<NettingSetDetails><AgreementType>ISDA</AgreementType></NettingSetDetails>')) });
    expect(r.rows.trades.map((t) => [t.trade_id, t.netting_set_id])).toEqual([
      ['A', 'NS_A'],
      ['B', 'UNNETTED_B'],
    ]);
    expect(r.report.findings.filter((f) => f.tradeId === 'B').map((f) => [f.kind, f.field])).toEqual([
      ['unmapped_field', 'Envelope/NettingSetDetails/AgreementType'],
      ['defaulted', 'Envelope/NettingSetId'],
    ]);
  });
});

describe('MarginPeriodOfRisk and CallFrequency beyond xva\'s limits are refused naming file, line and field', () => {
  /** The issues importOre throws for netting.xml with these terms (none: undefined). */
  const issuesOf = (terms: string): InputIssue[] | undefined => {
    try {
      importOre({ portfolioXml: portfolio(swap('T1', '<NettingSetId>NS1</NettingSetId>')), nettingXml: netting('<NettingSetId>NS1</NettingSetId>', terms) });
      return undefined;
    } catch (e) {
      if (!(e instanceof XvaInputError)) throw e;
      return e.issues;
    }
  };
  const freq = (call: string, post = call) => `<MarginingFrequency><CallFrequency>${call}</CallFrequency><PostFrequency>${post}</PostFrequency></MarginingFrequency>`;

  it("1Y margin period of risk and 1Y call frequency (261 business days each): two issues, on the NettingSet element's line (3)", () => {
    expect(issuesOf(`${freq('1Y')}<MarginPeriodOfRisk>1Y</MarginPeriodOfRisk>`)).toEqual([
      { file: 'netting.xml', row: 3, column: 'CSADetails/MarginPeriodOfRisk', value: '1Y', expected: "a margin period of risk of at most 250 business days (1Y is 261; xva's netting_sets limit)" },
      { file: 'netting.xml', row: 3, column: 'CSADetails/MarginingFrequency/CallFrequency', value: '1Y', expected: "a margin call frequency of at most 250 business days (1Y is 261; xva's netting_sets limit)" },
    ]);
  });

  it('a PostFrequency standing in for a missing CallFrequency is named as such', () => {
    expect(issuesOf('<MarginingFrequency><PostFrequency>52W</PostFrequency></MarginingFrequency><MarginPeriodOfRisk>2W</MarginPeriodOfRisk>')).toEqual([
      { file: 'netting.xml', row: 3, column: 'CSADetails/MarginingFrequency/PostFrequency', value: '52W', expected: "a margin call frequency of at most 250 business days (52W is 260; xva's netting_sets limit)" },
    ]);
  });

  it('50W (250 business days) on both is accepted, as xva validate accepts it', () => {
    expect(issuesOf(`${freq('50W')}<MarginPeriodOfRisk>50W</MarginPeriodOfRisk>`)).toBeUndefined();
    const r = importOre({ portfolioXml: portfolio(swap('T1', '<NettingSetId>NS1</NettingSetId>')), nettingXml: netting('<NettingSetId>NS1</NettingSetId>', `${freq('50W')}<MarginPeriodOfRisk>50W</MarginPeriodOfRisk>`) });
    expect(r.rows.nettingSets.map((n) => [n.margin_period_of_risk_days, n.margin_frequency_days])).toEqual([[250, 250]]);
  });

  it('the CLI: exit 2, the problem named without a stack trace, nothing written', async () => {
    ensureBuilt();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-ore-mpor-'));
    temps.push(dir);
    fs.writeFileSync(path.join(dir, 'portfolio.xml'), portfolio(swap('T1', '<NettingSetId>NS1</NettingSetId>')));
    fs.writeFileSync(path.join(dir, 'netting.xml'), netting('<NettingSetId>NS1</NettingSetId>', `${freq('1D')}<MarginPeriodOfRisk>1Y</MarginPeriodOfRisk>`));
    const out = path.join(dir, 'out');
    const run = await xva(['import', 'ore', '--portfolio', path.join(dir, 'portfolio.xml'), '--netting', path.join(dir, 'netting.xml'), '--out', out]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("netting.xml row 3 column CSADetails/MarginPeriodOfRisk: 1Y: expected a margin period of risk of at most 250 business days (1Y is 261; xva's netting_sets limit)");
    expect(run.stderr).not.toMatch(/at .*\.js:\d+/);
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe("cds_curve: blank, and the report names the column to fill with ORE's CounterpartyId", () => {
  it('swap_flat_xva: one defaulted cds_curve finding; on its market (credit.names.CPTY_A, no proxies) validate asks for cds_curve, and filling it as the note says validates', async () => {
    const { validateInputs } = await import('../src/portfolio/validateInputs.js');
    const inputs = path.join(SHARED_REFERENCE, 'ore', 'swap_flat_xva', 'inputs');
    const r = importOre({ portfolioXml: fs.readFileSync(path.join(inputs, 'portfolio_swap.xml'), 'utf8'), nettingXml: fs.readFileSync(path.join(inputs, 'netting.xml'), 'utf8') });
    expect(r.rows.counterparties.map((c) => [c.counterparty_id, c.cds_curve])).toEqual([['CPTY_A', null]]);
    expect(r.report.findings.filter((f) => f.field === 'cds_curve').map((f) => [f.kind, f.file, f.reason])).toEqual([
      [
        'defaulted',
        'portfolio.xml',
        "left blank on every counterparty: xva takes its survival from the market file's credit.proxies (sector × rating × region); ORE keys a counterparty's default curve by its CounterpartyId, so where the market file has that curve as credit.names.<CounterpartyId>, write the id in the counterparties table's cds_curve column",
      ],
    ]);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-ore-cdscurve-'));
    temps.push(dir);
    writeOreImport(dir, r, 'csv');
    fs.copyFileSync(path.resolve('test/data/ore-swap-flat/market.yaml'), path.join(dir, 'market.yaml'));
    const before = await validateInputs({ portfolioDir: dir });
    expect(before.issues.map(formatIssue).join('\n')).toContain('cds_curve');
    const file = path.join(dir, 'counterparties.csv');
    const csv = fs.readFileSync(file, 'utf8');
    expect(csv).toContain('CPTY_A,CPTY_A,other,NR,europe,,');
    fs.writeFileSync(file, csv.replace('CPTY_A,CPTY_A,other,NR,europe,,', 'CPTY_A,CPTY_A,other,NR,europe,CPTY_A,'));
    const after = await validateInputs({ portfolioDir: dir });
    expect(after.issues.map(formatIssue)).toEqual([]);
  });
});
