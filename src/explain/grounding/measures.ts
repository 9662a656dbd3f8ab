/**
 * The measure words of prose (CVA, DVA, FVA, FCA, FBA, ColVA, MVA, KVA, XVA, EPE, EEPE, PFE, EAD, RWA, SIMM, IM, VM,
 * CET1, CS01, capital, saving, notional, share, standard error, net benefit, net XVA cost, uncollateralised exposure)
 * and which words of a fact's id each one names (topics.ts: `cp.CP0024.cva_share` measures [cva, share]). A fact
 * agrees with a measure word when one of the word's keys occurs in its id's words, in order: "CVA" agrees with `cva`,
 * `cva_share`, `d_cva`, `rec.<id>.cva_saving` and `capital.rwa_cva`, not with `ba_cva` (read as BA-CVA first) or `dva`;
 * "capital" with the capital figures (`capital.capital`, `capital_cva`, `capital_share`) and the capital savings; "uncollateralised exposure" with a residual exposure
 * or an exposure profile's figure, not an MVA.
 *
 * The common words of the measures are measure words too (an audit found "CP0024's exposure is USD 1.2m" passing on
 * its CVA): "exposure" (EPE, effective EPE, ENE, PFE, a residual exposure, EAD; the built-in writer's "largest
 * exposures" are effective EPEs), "funding cost" (FCA, FVA; "of initial margin": MVA), "expected loss" and "default
 * charge" (CVA), "counterparty risk charge" (CVA or capital), "collateral requirement" (IM or a VM call),
 * "own-credit benefit" (DVA).
 *
 * Acronyms are matched as written (IM, not "im"); words in either case. Longer phrases are read first and take their
 * words out of the text ("BA-CVA" is not also "CVA", "net XVA cost" not also "XVA"). "Cost" is not a measure word: KVA,
 * MVA, the net XVA cost and an action's cost are all costs.
 */

export interface Measure {
  /** The measure as a reason names it ("CVA", "initial margin"). */
  name: string;
  /** Words of fact ids it names, each a run of id words joined by `_` (`ba_cva`, `std_error`). */
  keys: readonly string[];
  /** A noun that counts ("netting sets", "counterparties"): it names the measure of count facts only. */
  count?: true;
  /** Id words that take a fact out of the measure although a key occurs in it ("credit spread" is not `own_credit_spread`). */
  unless?: readonly string[];
}

export interface MeasureMention extends Measure {
  start: number;
  end: number;
}

const B = '(?<![\\p{L}\\p{N}_-])';
const E = '(?![\\p{L}\\p{N}_])';
const word = (source: string) => new RegExp(`${B}(?:${source})${E}`, 'gu');
/** An acronym exactly as written; the first letter of a word in either case (`[Cc]apital`). */
const capitalised = (w: string) => `[${w[0]!.toUpperCase()}${w[0]!.toLowerCase()}]${w.slice(1)}`;

/**
 * A valuation adjustment's acronym as written, in lower case, or plural ("CVA", "cva", "CVAs"), or its name in full
 * ("credit valuation adjustment(s)"): prose from a model writes all of them.
 */
const adjustment = (acronym: string, name: string): string => `${acronym}s?|${acronym.toLowerCase()}s?|${capitalised(name.split(' ')[0]!)}${name.slice(name.indexOf(' ')).replace(/ /g, '\\s+')}s?`;

/** In reading order: a phrase before the words it contains. */
const LEXICON: { re: RegExp; measure: Measure }[] = [
  { re: word(`${capitalised('net')}\\s+(?:XVA\\s+)?cost|${capitalised('net')}\\s+XVA`), measure: { name: 'net XVA cost', keys: ['xva_net', 'd_net'] } },
  { re: word(`${capitalised('net')}\\s+benefits?`), measure: { name: 'net benefit', keys: ['net_benefit'] } },
  { re: word('BA-CVA'), measure: { name: 'BA-CVA', keys: ['ba_cva'] } },
  { re: word('SA-CVA'), measure: { name: 'SA-CVA', keys: ['sa_cva'] } },
  { re: word('CVA\\s+CS01'), measure: { name: 'CVA CS01', keys: ['cva_cs01'] } },
  { re: word('DVA\\s+CS01'), measure: { name: 'DVA CS01', keys: ['dva_cs01'] } },
  { re: word('CS01'), measure: { name: 'CS01', keys: ['cs01'] } },
  // what a stress shocks (facts.ts: scenario.<name>.credit_spread_shift_bp, own_credit_spread_shift_bp,
  // funding_spread_shift_bp, collateral_coverage): each phrase names its own shock only (an audit found "Under
  // funding_up_50bp credit spreads widen by 50bp" passing on the funding shift, and "the bank's own credit spreads"
  // on the counterparties' credit shift); a credit spread is also the CS01's 1bp and a what-if's spread move
  { re: word(`${capitalised('own')}[-\\s](?:credit\\s+|CDS\\s+)?spreads?`), measure: { name: 'own credit spread', keys: ['own_credit_spread', 'cs01_shift'] } },
  { re: word(`${capitalised('funding')}\\s+spreads?`), measure: { name: 'funding spread', keys: ['funding_spread'] } },
  { re: word(`(?:${capitalised('credit')}|CDS)\\s+spreads?`), measure: { name: 'credit spread', keys: ['credit_spread', 'cs01_shift'], unless: ['own'] } },
  { re: word(`${capitalised('collateral')}\\s+(?:coverage|held)|${capitalised('coverage')}`), measure: { name: 'collateral coverage', keys: ['coverage'] } },
  { re: word(`EEPE|${capitalised('effective')}\\s+(?:EPE|expected\\s+positive\\s+exposure)`), measure: { name: 'effective EPE', keys: ['eepe'] } },
  { re: word(`${capitalised('peak')}\\s+EPE`), measure: { name: 'peak EPE', keys: ['peak_epe'] } },
  { re: word(`${capitalised('peak')}\\s+PFE`), measure: { name: 'peak PFE', keys: ['peak_pfe'] } },
  // "funding the uncollateralised exposure" is FVA's definition (the built-in writer's "FCA of X for funding the
  // uncollateralised exposure"); the phrase alone is an exposure measure, never an MVA or a CVA (a coverage
  // scenario's MVA worded "uncollateralised exposure" passed as its residual exposure without it)
  { re: word(`${capitalised('funding')}\\s+(?:of\\s+)?(?:the\\s+)?un-?collaterali[sz]ed\\s+exposures?`), measure: { name: 'funding of uncollateralised exposure', keys: ['fva', 'fca', 'fba'] } },
  { re: word(`${capitalised('uncollateralised')}\\s+exposures?|${capitalised('uncollateralized')}\\s+exposures?|${capitalised('residual')}\\s+exposures?`), measure: { name: 'uncollateralised exposure', keys: ['residual', 'epe', 'ene', 'eepe', 'pfe', 'ead'] } },
  { re: word(`EPE|${capitalised('expected')}\\s+positive\\s+exposure`), measure: { name: 'EPE', keys: ['epe', 'eepe'] } },
  { re: word(`PFE|${capitalised('potential')}\\s+future\\s+exposure`), measure: { name: 'PFE', keys: ['pfe'] } },
  { re: word(`EAD|${capitalised('exposure')}\\s+at\\s+default`), measure: { name: 'EAD', keys: ['ead'] } },
  { re: word(`RWAs?|${capitalised('risk')}-weighted\\s+assets`), measure: { name: 'RWA', keys: ['rwa'] } },
  { re: word('CET1'), measure: { name: 'CET1', keys: ['cet1'] } },
  { re: word('SIMM'), measure: { name: 'SIMM', keys: ['simm'] } },
  // "the funding cost of initial margin" is the MVA (before "initial margin" takes its words)
  { re: word(`${capitalised('funding')}\\s+costs?\\s+of\\s+(?:the\\s+)?(?:posted\\s+)?(?:initial\\s+margin|IM)`), measure: { name: 'funding cost of initial margin', keys: ['mva'] } },
  { re: word(`IM|${capitalised('initial')}\\s+margin`), measure: { name: 'initial margin', keys: ['im', 'simm', 'schedule'] } },
  { re: word(`VM|${capitalised('variation')}\\s+margin(?:\\s+calls?)?|${capitalised('margin')}\\s+calls?`), measure: { name: 'variation margin', keys: ['margin_call', 'calls'] } },
  { re: word(adjustment('CVA', 'credit valuation adjustment')), measure: { name: 'CVA', keys: ['cva'] } },
  { re: word(`${adjustment('DVA', 'debit valuation adjustment')}|${capitalised('own')}[-\\s]credit\\s+benefits?`), measure: { name: 'DVA', keys: ['dva'] } },
  { re: word(adjustment('FVA', 'funding valuation adjustment')), measure: { name: 'FVA', keys: ['fva'] } },
  { re: word(adjustment('FCA', 'funding cost adjustment')), measure: { name: 'FCA', keys: ['fca'] } },
  { re: word(adjustment('FBA', 'funding benefit adjustment')), measure: { name: 'FBA', keys: ['fba'] } },
  { re: word('ColVA|COLVA'), measure: { name: 'ColVA', keys: ['colva'] } },
  // the common words of the adjustments (an audit found "CP0024's exposure is USD 1.2m" passing on its CVA): the
  // funding cost of initial margin is the MVA, a funding cost otherwise the FCA or FVA; an expected loss or a default
  // charge is the CVA; a collateral requirement is an initial margin or a variation margin call
  { re: word(`${capitalised('funding')}\\s+costs?`), measure: { name: 'funding cost', keys: ['fca', 'fva'] } },
  { re: word(`${capitalised('expected')}\\s+loss(?:es)?`), measure: { name: 'expected loss', keys: ['cva'] } },
  { re: word(`(?:${capitalised('counterparty')}\\s+)?(?:credit\\s+)?${capitalised('default')}\\s+charges?`), measure: { name: 'default charge', keys: ['cva'] } },
  // "counterparty (credit) risk charge": the CVA or the capital held for it (CCR or CVA risk); either fits
  { re: word(`${capitalised('counterparty')}\\s+(?:credit\\s+)?risk\\s+charges?`), measure: { name: 'counterparty risk charge', keys: ['cva', 'capital'] } },
  { re: word(`${capitalised('collateral')}\\s+requirements?`), measure: { name: 'collateral requirement', keys: ['im', 'simm_collect', 'simm_post', 'schedule_call', 'schedule_post', 'margin_call'] } },
  { re: word(adjustment('MVA', 'margin valuation adjustment')), measure: { name: 'MVA', keys: ['mva'] } },
  { re: word(adjustment('KVA', 'capital valuation adjustment')), measure: { name: 'KVA', keys: ['kva'] } },
  { re: word('XVA'), measure: { name: 'XVA', keys: ['xva'] } },
  { re: word(`${capitalised('capital')}\\s+ratio`), measure: { name: 'capital ratio', keys: ['capital_ratio'] } },
  { re: word(capitalised('capital')), measure: { name: 'capital', keys: ['capital'] } },
  { re: word(`${capitalised('standard')}\\s+error`), measure: { name: 'standard error', keys: ['std_error'] } },
  { re: word(`${capitalised('savings')}|${capitalised('saving')}|${capitalised('saves')}|${capitalised('save')}|${capitalised('saved')}|${capitalised('frees')}|${capitalised('free')}|${capitalised('freed')}`), measure: { name: 'saving', keys: ['saving'] } },
  { re: word(`${capitalised('notionals')}|${capitalised('notional')}`), measure: { name: 'notional', keys: ['notional'] } },
  { re: word(`${capitalised('shares')}|${capitalised('share')}`), measure: { name: 'share', keys: ['share'] } },
  // "exposure" alone, after every phrase that holds it (EAD, EPE, PFE, uncollateralised exposure): the exposure
  // figures, EPE, effective EPE, ENE, PFE, a residual exposure or an EAD; never a CVA (the built-in writer's
  // "largest exposures" are effective EPEs)
  { re: word(`${capitalised('exposures')}|${capitalised('exposure')}`), measure: { name: 'exposure', keys: ['epe', 'eepe', 'ene', 'pfe', 'residual', 'ead'] } },
  // what a count counts: "29 netting sets", "4 candidate actions" (count facts only; agreesWith in attribution.ts)
  { re: word(`${capitalised('candidate')}\\s+actions?|${capitalised('candidates')}|${capitalised('candidate')}`), measure: { name: 'candidate actions', keys: ['candidates'], count: true } },
  { re: word(`${capitalised('netting')}\\s+sets?`), measure: { name: 'netting sets', keys: ['netting_sets', 'simm_sets', 'calls'], count: true } },
  { re: word(`${capitalised('counterparties')}|${capitalised('counterparty')}`), measure: { name: 'counterparties', keys: ['counterparties'], count: true } },
  { re: word(`${capitalised('actions')}|${capitalised('action')}`), measure: { name: 'actions', keys: ['actions'], count: true } },
  { re: word(`${capitalised('trades')}|${capitalised('trade')}`), measure: { name: 'trades', keys: ['trades'], count: true } },
  { re: word(`${capitalised('paths')}|${capitalised('path')}`), measure: { name: 'paths', keys: ['paths'], count: true } },
  { re: word(`${capitalised('calls')}|${capitalised('call')}`), measure: { name: 'calls', keys: ['calls'], count: true } },
];

function blank(text: string, start: number, end: number): string {
  return text.slice(0, start) + ' '.repeat(end - start) + text.slice(end);
}

/** The measure words of a text, in order of appearance, each phrase read once. */
export function measuresIn(text: string): MeasureMention[] {
  let rest = text;
  const found: MeasureMention[] = [];
  for (const { re, measure } of LEXICON) {
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(rest)) !== null) {
      found.push({ ...measure, start: m.index, end: m.index + m[0].length });
      rest = blank(rest, m.index, m.index + m[0].length);
    }
  }
  return found.sort((a, b) => a.start - b.start);
}

/** Whether the words of `key` (`ba_cva`) occur in this order among the fact's measure words. */
function occursIn(key: string, words: readonly string[]): boolean {
  const parts = key.split('_');
  for (let i = 0; i + parts.length <= words.length; i++) if (parts.every((p, j) => words[i + j] === p)) return true;
  return false;
}

/**
 * A fact agrees with the measures named for its figure when it measures one of them (none named: any fact). The nouns
 * of counts name the measure of count facts only: "USD 2m across 12 netting sets" names no measure of the amount.
 */
export function agreesWithMeasures(factWords: readonly string[], named: readonly Measure[], isCount = false, baseMeasure?: Measure): boolean {
  // a percentage "of <measure>" ("12.8% of book CVA") is a share or ratio of that measure: the fact must be one of it
  // (the forty-fourth session's explain audit: "8.1% of book CVA" passed on the FVA share)
  // (a share or a percentage of something: a setting such as the concentration threshold, "above 10.0% of book CVA",
  // is a level of its own)
  const ofSomething = occursIn('share', factWords) || occursIn('pct', factWords);
  if (baseMeasure && ofSomething && !baseMeasure.keys.some((k) => occursIn(k, factWords))) return false;
  // …and not a share of its sensitivity: "21.1% of book CVA" is not a share of CVA CS01
  if (baseMeasure && ofSomething && occursIn('cs01', factWords) && !baseMeasure.keys.some((k) => k.includes('cs01'))) return false;
  const measures = isCount ? named : named.filter((m) => !m.count);
  if (measures.length === 0) return true;
  // "CVA share": a share of the measure named with it, not any share ("CP0024's CVA share is 8.1%" is not its FVA share)
  const others = measures.filter((m) => m.name !== 'share');
  if (others.length > 0 && others.length < measures.length && occursIn('share', factWords)) return others.some((m) => isOfMeasure(m, factWords));
  return measures.some((m) => isOfMeasure(m, factWords));
}

/** Whether the fact's id words are of the measure: one of its keys occurs in them, none of its `unless` words. */
export function isOfMeasure(m: Measure, factWords: readonly string[]): boolean {
  return m.keys.some((k) => occursIn(k, factWords)) && !(m.unless ?? []).some((w) => factWords.includes(w));
}
