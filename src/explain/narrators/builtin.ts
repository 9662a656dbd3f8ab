/**
 * The built-in writer of `xva explain` (--narrator builtin, the default): deterministic prose from the facts alone,
 * no network. Per persona it finds the largest drivers and their shares, the concentrations, which stresses bite,
 * what changed against a previous run and which recommendations pay most and why, and states every figure through
 * formatFigure (format.ts), so the fact check reads each one back to a fact. Same facts, same words.
 * Figures are stated as magnitudes with a verb for the sign ("rises by USD 1.2m"); the fact check compares the verb
 * with the fact's sign. Qualitative claims come from facts too: the head of desk backs only actions the optimiser chose
 * (`rec.<id>.chosen` = 1) and names a rejected one only as not chosen, with its reason (the fact's note); an action's
 * savings are ranked over all its components (CVA, FVA, MVA, KVA, a year of collateral funding) and its DVA change is
 * said apart (not part of the net benefit); a counterparty is called uncollateralised only when none of its netting
 * sets has a CSA (`cp.<id>.csa_netting_sets`); the plan's percentage names its denominator (`plan.base_xva`).
 */
import { CONCENTRATION_PCT } from '../facts.js';
import { formatFigure } from '../format.js';
import type { Fact, NarrationRequest, NarrationResult, Narrator, PersonaId } from '../types.js';

export { formatFigure } from '../format.js';


class Writer {
  readonly cited = new Set<string>();
  private readonly byId: Map<string, Fact>;

  constructor(readonly facts: readonly Fact[]) {
    this.byId = new Map(facts.map((f) => [f.id, f]));
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  value(id: string): number {
    return this.byId.get(id)?.value ?? Number.NaN;
  }

  /** The words beside the fact's number (an action's reason for not being chosen). */
  note(id: string): string | undefined {
    return this.byId.get(id)?.note;
  }

  /** The fact's magnitude as prose states it; records the citation. */
  fig(id: string): string {
    const f = this.byId.get(id);
    if (!f) throw new Error(`builtin writer: no fact ${id}`);
    this.cited.add(id);
    return formatFigure(Math.abs(f.value), f.unit, f.currency);
  }

  /** Ids matching `pattern` (group 1 = the key), sorted by value descending (ties by key). */
  ranked(pattern: RegExp, by: (f: Fact) => number = (f) => f.value): { key: string; id: string; value: number }[] {
    const out: { key: string; id: string; value: number }[] = [];
    for (const f of this.facts) {
      const m = pattern.exec(f.id);
      if (m) out.push({ key: m[1]!, id: f.id, value: by(f) });
    }
    return out.sort((a, b) => b.value - a.value || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }
}

const rises = (x: number, up = 'rises', down = 'falls') => (x >= 0 ? up : down);
const list = (items: string[]): string => (items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`);
const code = (id: string) => `\`${id}\``;

/** "; of the netting sets, `ID` moves most: its CVA rises by Z (W of the book's change)", when the facts have it. */
function setAttribution(w: Writer, scenario: string, metric: string, what: string): string {
  const escaped = scenario.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const top = w.ranked(new RegExp(`^scenario\\.${escaped}\\.ns\\.([^.]+)\\.${metric}$`), (f) => Math.abs(f.value))[0];
  if (!top) return '';
  const share = `scenario.${scenario}.ns.${top.key}.${metric}_share`;
  return `; of the netting sets, ${code(top.key)} moves most: its ${what} ${rises(w.value(top.id))} by ${w.fig(top.id)}${w.has(share) ? ` (${w.fig(share)} of the book's change)` : ''}`;
}

/** Scenario sentences: the stresses that move `metric` most, largest first; those that do not move it, named. */
function stressSentences(w: Writer, metric: 'd_cva' | 'd_fva' | 'd_net', what: string, pctMetric?: string): string | undefined {
  const moves = w.ranked(new RegExp(`^scenario\\.([^.]+)\\.${metric}$`), (f) => Math.abs(f.value));
  if (moves.length === 0) return undefined;
  // the metrics are costs: the stress that bites is the largest rise; reliefs (falls) come after the rises, largest
  // first, and a set of stresses that only relieve says so (the largest move either way is not the one that bites)
  const biting = moves.filter((m) => Math.abs(w.value(m.id)) >= 0.5);
  const rising = biting.filter((m) => w.value(m.id) > 0).sort((x, y) => w.value(y.id) - w.value(x.id));
  const falling = biting.filter((m) => w.value(m.id) < 0).sort((x, y) => w.value(x.id) - w.value(y.id));
  const still = moves.filter((m) => Math.abs(w.value(m.id)) < 0.5).map((m) => m.key);
  const parts: string[] = [];
  [...rising, ...falling].slice(0, 3).forEach((m, i) => {
    const pctId = pctMetric ? `scenario.${m.key}.${pctMetric}` : undefined;
    const pct = pctId && w.has(pctId) ? ` (${w.fig(pctId)})` : '';
    const lead = rising.length > 0 ? `The stress that bites hardest is ${code(m.key)}: ${what}` : `No stress raises ${what}; the largest relief is ${code(m.key)}: ${what}`;
    // "book CVA", not "it", after the first: the clause before may end on a netting set's figure
    parts.push(`${i === 0 ? lead : `under ${code(m.key)} book ${what}`} ${rises(w.value(m.id))} by ${w.fig(m.id)}${pct}${i === 0 ? setAttribution(w, m.key, metric, what) : ''}`);
  });
  let text = parts.length > 0 ? `${parts.join('; ')}.` : '';
  if (biting.length > 3) text += ' The other stresses move it less.';
  if (still.length > 0) text += ` ${list(still.map(code))} leave${still.length === 1 ? 's' : ''} ${what} unchanged.`;
  return text.trim();
}

function changeSentence(w: Writer, ids: string[], intro = 'Since the previous run'): string | undefined {
  const parts: string[] = [];
  for (const id of ids) {
    const c = `change.${id}`;
    if (!w.has(c)) continue;
    const label = w.facts.find((f) => f.id === id)?.label ?? id;
    const pct = w.has(`${c}.pct`) ? ` (${w.fig(`${c}.pct`)})` : '';
    parts.push(Math.abs(w.value(c)) < 0.5 ? `${label} is unchanged` : `${label} ${rises(w.value(c), 'rose', 'fell')} by ${w.fig(c)}${pct}`);
  }
  return parts.length > 0 ? `${intro}, ${list(parts)}.` : undefined;
}

/**
 * The counterparties above the concentration threshold, each with its share: "The concentration threshold is 10.0% of
 * book CVA; above it is CP0024 (23.0%)." The threshold has a clause of its own: in one clause with a single
 * counterparty's name, the fact check ties the figure to that counterparty (its rule 4, the clause's only subject), so
 * the singular sentence failed ("10.0% is not a figure of CP0024") while the plural passed (an audit).
 */
function concentrationSentence(w: Writer, keys: readonly string[]): string {
  const known = w.has('book.concentration_threshold');
  const limit = known ? w.value('book.concentration_threshold') : CONCENTRATION_PCT;
  const above = keys.filter((k) => w.value(`cp.${k}.cva_share`) > limit);
  if (above.length === 0) return `No counterparty is above ${known ? w.fig('book.concentration_threshold') : 'the concentration threshold'} of book CVA.`;
  const lead = known ? `The concentration threshold is ${w.fig('book.concentration_threshold')} of book CVA; above it` : 'Above the concentration threshold of book CVA';
  return `${lead} ${above.length === 1 ? 'is' : 'are'} ${list(above.map((k) => `${k} (${w.fig(`cp.${k}.cva_share`)})`))}.`;
}

function cvaTrader(w: Writer): string[] {
  const out: string[] = [];
  if (!w.has('book.cva')) return ['No XVA results were available, so there is no CVA to explain.'];
  let p = `Book CVA is ${w.fig('book.cva')}`;
  if (w.has('book.dva')) p += `, against a DVA benefit of ${w.fig('book.dva')}`;
  if (w.has('book.counterparties')) p += `, across ${w.fig('book.counterparties')} counterparties`;
  p += '.';
  if (w.has('book.cva_std_error_pct')) {
    p += w.has('run.sobol_points')
      ? ` Its standard error by the Monte Carlo formula is ${w.fig('book.cva_std_error')}, ${w.fig('book.cva_std_error_pct')} of CVA; the paths are Sobol points, on which that formula overstates the error (the spread of a few seeds measures it).`
      : ` Its Monte Carlo standard error is ${w.fig('book.cva_std_error')}, ${w.fig('book.cva_std_error_pct')} of CVA.`;
  }
  out.push(p);
  const cps = w.ranked(/^cp\.([^.]+)\.cva$/);
  if (cps.length > 0) {
    const [first, ...rest] = cps;
    let d = `The largest driver is ${first!.key} with ${w.fig(first!.id)}, ${w.fig(`cp.${first!.key}.cva_share`)} of book CVA`;
    const next = rest.slice(0, 2).map((c) => `${c.key} (${w.fig(c.id)}, ${w.fig(`cp.${c.key}.cva_share`)})`);
    if (next.length > 0) d += `, followed by ${list(next)}`;
    d += '.';
    if (w.has('book.cva_top5_share') && cps.length > 5) d += ` The five largest counterparties make up ${w.fig('book.cva_top5_share')} of book CVA.`;
    d += ` ${concentrationSentence(w, cps.map((c) => c.key))}`;
    out.push(d);
  }
  const sets = w.ranked(/^ns\.([^.]+)\.eepe$/).slice(0, 3);
  if (sets.length > 0) {
    const items = sets.map((s) => `${code(s.key)} (effective EPE ${w.fig(s.id)}${w.has(`ns.${s.key}.peak_pfe`) ? `, peak PFE ${w.fig(`ns.${s.key}.peak_pfe`)}` : ''})`);
    out.push(`The largest exposures are in ${list(items)}.`);
  }
  const stress = stressSentences(w, 'd_cva', 'CVA', 'd_cva_pct');
  if (stress) out.push(stress);
  if (w.has('book.cva_cs01')) {
    const top = w.ranked(/^cp\.([^.]+)\.cva_cs01$/, (f) => Math.abs(f.value))[0];
    const cva01 = w.value('book.cva_cs01');
    let c = `A 1bp widening of every counterparty's credit curve would ${rises(cva01, 'add', 'take')} ${w.fig('book.cva_cs01')} ${cva01 >= 0 ? 'to' : 'off'} CVA`;
    if (top && w.has(`cp.${top.key}.cva_cs01_share`)) c += `; ${top.key}'s curve alone ${w.fig(top.id)} (${w.fig(`cp.${top.key}.cva_cs01_share`)}), the first candidate for a credit hedge`;
    c += '.';
    if (w.has('book.dva_cs01')) {
      const dva01 = w.value('book.dva_cs01');
      c += ` A 1bp widening of the bank's own curve would ${rises(dva01, 'add', 'take')} ${w.fig('book.dva_cs01')} ${dva01 >= 0 ? 'to' : 'off'} DVA.`;
    }
    out.push(c);
  }
  const change = changeSentence(w, ['book.cva', 'book.dva', 'book.eepe']);
  if (change) {
    const movers = w.ranked(/^change\.cp\.([^.]+)\.cva$/, (f) => Math.abs(f.value)).filter((m) => Math.abs(w.value(m.id)) >= 0.5);
    // a counterparty that left the book or joined it says so (its whole CVA is its move)
    const whose = (key: string) => (!w.has(`cp.${key}.cva`) ? ', which left the book; its CVA' : w.facts.find((f) => f.id === `change.cp.${key}.cva`)?.label.endsWith('(new in the book)') ? ', new in the book; its CVA' : ', whose CVA');
    out.push(movers.length > 0 ? `${change} The largest move is ${movers[0]!.key}${whose(movers[0]!.key)} ${rises(w.value(movers[0]!.id), 'rose', 'fell')} by ${w.fig(movers[0]!.id)}.` : change);
  }
  return out;
}

function fvaSpecialist(w: Writer): string[] {
  if (!w.has('book.fva')) return ['No XVA results were available, so there is no FVA to explain.'];
  const out: string[] = [];
  // figures are magnitudes (Writer.fig): the words carry the sign (FVA = FCA − FBA + ColVA, a benefit when negative)
  let p =
    w.value('book.fva') >= 0
      ? `Book FVA is ${w.fig('book.fva')}: FCA of ${w.fig('book.fca')} for funding the uncollateralised exposure, less FBA of ${w.fig('book.fba')}`
      : `Book FVA is a benefit of ${w.fig('book.fva')}: FBA of ${w.fig('book.fba')} exceeds FCA of ${w.fig('book.fca')} for funding the uncollateralised exposure`;
  if (w.has('book.colva') && Math.abs(w.value('book.colva')) >= 0.5) p += w.value('book.colva') > 0 ? `, plus ColVA of ${w.fig('book.colva')}.` : `, and ColVA is a benefit of ${w.fig('book.colva')}.`;
  else p += '.';
  if (w.has('book.xva_net')) p += w.value('book.xva_net') >= 0 ? ` With CVA and DVA, the net XVA cost of the book is ${w.fig('book.xva_net')}.` : ` With CVA and DVA, the net XVA of the book is a benefit of ${w.fig('book.xva_net')}.`;
  out.push(p);
  const cps = w.ranked(/^cp\.([^.]+)\.fva$/).filter((c) => w.value(c.id) > 0).slice(0, 3);
  if (cps.length > 0) out.push(fvaDrivers(w, cps.map((c) => c.key)));
  const stress = stressSentences(w, 'd_fva', 'FVA');
  if (stress) out.push(stress);
  const change = changeSentence(w, ['book.fva', 'book.xva_net']);
  if (change) out.push(change);
  return out;
}

/**
 * "The largest contributors to FVA are CP0026 (USD 514.2k, 29.1% of book FVA) and CP0044 (…), which trade without a
 * CSA; and CP0011 (…), which trades under a CSA whose terms … still leave exposure to fund": the collateral status from
 * `cp.<id>.csa_netting_sets`, or no claim about collateral when the results do not say.
 */
function fvaDrivers(w: Writer, keys: string[]): string {
  const item = (k: string) => `${k} (${w.fig(`cp.${k}.fva`)}${w.has(`cp.${k}.fva_share`) ? `, ${w.fig(`cp.${k}.fva_share`)} of book FVA` : ''})`;
  const known = keys.every((k) => w.has(`cp.${k}.csa_netting_sets`) && w.has(`cp.${k}.netting_sets`));
  if (!known) return `The largest contributors to FVA are ${list(keys.map(item))}.`;
  // grouped by collateral status, in order of FVA within each group
  const csa = (k: string) => w.value(`cp.${k}.csa_netting_sets`);
  const sets = (k: string) => w.value(`cp.${k}.netting_sets`);
  const groups: string[] = [];
  const none = keys.filter((k) => csa(k) === 0);
  const all = keys.filter((k) => csa(k) > 0 && csa(k) === sets(k));
  const some = keys.filter((k) => csa(k) > 0 && csa(k) < sets(k));
  if (none.length > 0) groups.push(`${list(none.map(item))}, which ${none.length === 1 ? 'trades' : 'trade'} without a CSA`);
  if (all.length > 0) groups.push(`${list(all.map(item))}, which ${all.length === 1 ? 'trades' : 'trade'} under a CSA whose terms (threshold, minimum transfer amount, margin period of risk) still leave exposure to fund`);
  if (some.length > 0) groups.push(`${list(some.map(item))}, with only some of ${some.length === 1 ? 'its' : 'their'} netting sets under a CSA`);
  return `The largest contributors to FVA are ${groups.join('; and ')}.`;
}

/** The savings an action's net benefit is made of (DVA is not one: own credit), largest first. */
const SAVINGS: { suffix: string; name: string }[] = [
  { suffix: 'cva_saving', name: 'CVA' },
  { suffix: 'fva_saving', name: 'FVA' },
  { suffix: 'mva_saving', name: 'MVA' },
  { suffix: 'kva_saving', name: 'KVA' },
  { suffix: 'collateral_saving', name: 'a year of collateral funding' },
];

/** Whether the optimiser chose the action: " (in the plan)", " (not chosen by the optimiser: reason)", or "" when unknown. */
function planStatus(w: Writer, key: string): string {
  const id = `rec.${key}.chosen`;
  if (!w.has(id)) return '';
  return w.value(id) === 1 ? ' (in the plan)' : ` (not chosen by the optimiser: ${w.note(id) ?? 'no reason recorded'})`;
}

function recSentence(w: Writer, key: string, withStatus = true): string {
  const parts = SAVINGS.filter((c) => w.has(`rec.${key}.${c.suffix}`) && w.value(`rec.${key}.${c.suffix}`) > 0.5)
    .sort((a, b) => w.value(`rec.${key}.${b.suffix}`) - w.value(`rec.${key}.${a.suffix}`) || (a.name < b.name ? -1 : 1));
  const notes: string[] = [];
  if (parts.length > 0) notes.push(`${parts.length > 2 ? 'largest savings' : 'savings'}: ${list(parts.slice(0, 2).map((c) => `${c.name} ${w.fig(`rec.${key}.${c.suffix}`)}`))}`);
  const dva = `rec.${key}.d_dva`;
  if (w.has(dva) && Math.abs(w.value(dva)) >= 0.5) notes.push(`DVA ${rises(w.value(dva))} by ${w.fig(dva)}, which the net benefit leaves out`);
  const cost = w.has(`rec.${key}.cost`) && w.value(`rec.${key}.cost`) > 0.5 ? ` at a cost of ${w.fig(`rec.${key}.cost`)}` : '';
  return `${code(key)}${withStatus ? planStatus(w, key) : ''}, which ${w.value(`rec.${key}.net_benefit`) >= 0 ? 'pays' : 'costs'} ${w.fig(`rec.${key}.net_benefit`)} net${cost}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`;
}

function capitalOptimiser(w: Writer): string[] {
  if (!w.has('capital.capital')) return ['No capital results were available, so there is no capital to explain.'];
  const out: string[] = [];
  let p = `SA-CCR EAD of the book is ${w.fig('capital.ead')}, giving counterparty credit risk RWA of ${w.fig('capital.rwa_ccr')}. The BA-CVA charge is ${w.fig('capital.ba_cva')}`;
  p += `, so total capital is ${w.fig('capital.capital')} at a capital ratio of ${w.fig('capital.capital_ratio')}`;
  p += w.has('capital.cva_share') ? `, ${w.fig('capital.cva_share')} of it for CVA risk.` : '.';
  if (w.has('capital.cet1_impact_bp')) p += ` The book ${rises(w.value('capital.cet1_impact_bp'), 'adds', 'takes')} ${w.fig('capital.cet1_impact_bp')} ${w.value('capital.cet1_impact_bp') >= 0 ? 'to' : 'off'} the bank's CET1 ratio.`;
  if (w.has('capital.kva')) p += ` Holding this capital over the life of the trades costs ${w.fig('capital.kva')} (KVA).`;
  out.push(p);
  const cps = w.ranked(/^capital\.cp\.([^.]+)\.capital$/).slice(0, 3);
  if (cps.length > 0) out.push(`The largest users of counterparty capital are ${list(cps.map((c) => `${c.key} (${w.fig(c.id)}${w.has(`capital.cp.${c.key}.capital_share`) ? `, ${w.fig(`capital.cp.${c.key}.capital_share`)}` : ''})`))}.`);
  const st = w.ranked(/^capital\.scenario\.([^.]+)\.d_capital$/, (f) => Math.abs(f.value)).filter((m) => Math.abs(w.value(m.id)) >= 0.5);
  if (st.length > 0) {
    const dKva = `capital.scenario.${st[0]!.key}.d_kva`;
    const kva = w.has(dKva) ? (Math.abs(w.value(dKva)) < 0.5 ? ' and leaves KVA unchanged' : ` and KVA ${rises(w.value(dKva))} by ${w.fig(dKva)}`) : '';
    out.push(`Under ${code(st[0]!.key)} capital ${rises(w.value(st[0]!.id))} by ${w.fig(st[0]!.id)}${kva}.`);
  }
  const recs = w.ranked(/^rec\.([^.]+)\.capital_saving$/).filter((r) => r.value > 0.5).slice(0, 2);
  if (recs.length > 0) out.push(`The recommendations that free the most capital: ${recs.map((r) => `${code(r.key)}${planStatus(w, r.key)} frees ${w.fig(r.id)}${w.has(`rec.${r.key}.kva_saving`) && w.value(`rec.${r.key}.kva_saving`) > 0.5 ? ` and saves ${w.fig(`rec.${r.key}.kva_saving`)} of KVA` : ''}`).join('; ')}.`);
  const change = changeSentence(w, ['capital.ead', 'capital.capital', 'capital.kva']);
  if (change) out.push(change);
  return out;
}

/** The MVA facts by source (facts.ts) and how the collateral manager names their IM. */
const MVA_SOURCE_WORDS: readonly [string, string][] = [
  ['dim', 'the SIMM sets\' dynamic IM'],
  ['schedule', 'the projected schedule IM'],
  ['stated', 'the IM amounts the netting sets state'],
];

function collateralManager(w: Writer): string[] {
  if (!w.has('margin.simm_collect')) return ['No margin results were available, so there is no collateral to explain.'];
  const out: string[] = [];
  let p = `We collect ${w.fig('margin.simm_collect')} of SIMM initial margin and post ${w.fig('margin.simm_post')}`;
  if (w.has('margin.simm_sets')) p += ` across ${w.fig('margin.simm_sets')} netting sets`;
  p += '.';
  if (w.value('margin.schedule_call') > 0.5 || w.value('margin.schedule_post') > 0.5) p += ` Under the standardised schedule we collect ${w.fig('margin.schedule_call')} and post ${w.fig('margin.schedule_post')}.`;
  // "(MVA)" right after the figure: the figure is the MVA, not the initial margin the sentence starts from
  if (w.has('margin.mva')) {
    p += w.value('margin.mva') >= 0 ? ` Funding the initial margin we post costs ${w.fig('margin.mva')} (MVA) over the life of the trades.` : ` The initial margin we post is a benefit of ${w.fig('margin.mva')} (MVA) over the life of the trades: its remuneration exceeds its funding spread.`;
    // by source, when the IM posted is of more than one kind (margin_netting_sets mva_source)
    const parts = MVA_SOURCE_WORDS.filter(([key]) => w.has(`margin.mva_${key}`) && w.value(`margin.mva_${key}`) >= 0.5);
    if (parts.length > 1) p += ` Of it, ${list(parts.map(([key, words]) => `${w.fig(`margin.mva_${key}`)} of MVA funds ${words}`))}.`;
    // the scenario that raises the MVA most (margin_mva_scenarios: funding spread, credit, coverage): the cost at risk
    const moves = w.ranked(/^margin\.scenario\.([^.]+)\.d_mva$/).filter((m) => m.value >= 0.5);
    if (moves.length > 0) p += ` Under ${code(moves[0]!.key)} the MVA ${rises(w.value(moves[0]!.id))} by ${w.fig(moves[0]!.id)}, to ${w.fig(`margin.scenario.${moves[0]!.key}.mva`)}.`;
  }
  out.push(p);
  if (w.has('margin.calls')) {
    const calls = w.ranked(/^margin\.ns\.([^.]+)\.margin_call$/, (f) => Math.abs(f.value));
    // calls are in each CSA's collateral currency: the largest is named only when they share one currency
    const currencies = new Set(calls.map((c) => w.facts.find((f) => f.id === c.id)?.currency));
    const largest = calls.length > 0 && currencies.size === 1 ? `; the largest is on ${code(calls[0]!.key)} for ${w.fig(calls[0]!.id)}` : calls.length > 0 ? `, in several collateral currencies` : '';
    let sentence = calls.length > 0 ? `${w.fig('margin.calls')} netting sets have a variation margin call today${largest}.` : 'No netting set has a variation margin call today.';
    if (calls.length > 0 && w.has('margin.calls_without_balance') && w.value('margin.calls_without_balance') > 0) {
      const all = w.value('margin.calls_without_balance') === w.value('margin.calls');
      sentence += all
        ? ' None of them has a collateral balance on file, so each is the whole amount its CSA requires, as on a first call, not the day\'s move.'
        : ` ${w.fig('margin.calls_without_balance')} of them have no collateral balance on file, so theirs are the whole amounts their CSAs require, as on a first call.`;
    }
    out.push(sentence);
  }
  const cov = w.ranked(/^margin\.scenario\.([^.]+)\.d_residual$/, (f) => Math.abs(f.value));
  if (cov.length > 0) {
    const worst = cov[0]!;
    out.push(`If the collateral held is ${w.fig(`margin.scenario.${worst.key}.coverage`)} of what is agreed (${code(worst.key)}), the uncollateralised exposure ${rises(w.value(worst.id))} by ${w.fig(worst.id)}, to ${w.fig(`margin.scenario.${worst.key}.residual`)}.`);
  }
  const recs = w.ranked(/^rec\.([^.]+)\.net_benefit$/).filter((r) => /^(collateral|csa)/.test(r.key) && r.value > 0.5).slice(0, 2);
  if (recs.length > 0) out.push(`On collateral, the optimiser measured ${list(recs.map((r) => recSentence(w, r.key)))}.`);
  const change = changeSentence(w, ['margin.simm_collect', 'margin.simm_post', 'margin.mva']);
  if (change) out.push(change);
  return out;
}

/**
 * The book's net XVA (CVA − DVA + FVA) and its parts, the signs in words (figures are magnitudes): a negative net is a
 * benefit, a negative FVA (FBA above FCA) is a benefit beside the DVA's, a negative CVA or DVA (a book with no exposure
 * on that side has 0) is said as a figure of the other kind.
 */
function netXvaSentence(w: Writer): string {
  const net = w.value('book.xva_net');
  const head = net >= 0 ? `The net XVA cost of the book is ${w.fig('book.xva_net')}` : `The net XVA of the book is a benefit of ${w.fig('book.xva_net')}`;
  const costs: string[] = [];
  const benefits: string[] = [];
  const part = (id: string, name: string, costWhenPositive: boolean) => {
    if (!w.has(id)) return;
    const v = w.value(id);
    if (Math.abs(v) < 0.5) return;
    if (v > 0 === costWhenPositive) costs.push(`${name} ${w.fig(id)}`);
    else benefits.push(`the ${name} benefit of ${w.fig(id)}`);
  };
  part('book.cva', 'CVA', true);
  part('book.fva', 'FVA', true);
  part('book.dva', 'DVA', false);
  const list = (items: string[]) => (items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`);
  if (costs.length === 0 && benefits.length === 0) return `${head}.`;
  if (costs.length === 0) return `${head}: ${list(benefits)}.`;
  return `${head}: ${list(costs)}${benefits.length > 0 ? `, less ${list(benefits)}` : ''}.`;
}

function headOfDesk(w: Writer): string[] {
  const out: string[] = [];
  const parts: string[] = [];
  if (w.has('book.xva_net')) parts.push(netXvaSentence(w));
  if (w.has('capital.capital')) parts.push(`It uses ${w.fig('capital.capital')} of capital${w.has('capital.kva') ? `, which costs ${w.fig('capital.kva')} over its life (KVA)` : ''}.`);
  if (w.has('margin.mva')) parts.push(w.value('margin.mva') >= 0 ? `Funding posted initial margin costs ${w.fig('margin.mva')} (MVA).` : `Posted initial margin is a benefit of ${w.fig('margin.mva')} (MVA), its remuneration being above its funding spread.`);
  out.push(parts.length > 0 ? parts.join(' ') : 'No XVA, capital or margin results were available.');
  const matters: string[] = [];
  if (w.has('book.cva_top5_share')) matters.push(`five counterparties carry ${w.fig('book.cva_top5_share')} of CVA`);
  const worst = w.ranked(/^scenario\.([^.]+)\.d_net$/).filter((m) => m.value >= 0.5);
  if (worst.length > 0) matters.push(`the worst stress, ${code(worst[0]!.key)}, adds ${w.fig(worst[0]!.id)} to the net XVA cost`);
  if (w.has('capital.cet1_impact_bp')) matters.push(`the book moves the CET1 ratio by ${w.fig('capital.cet1_impact_bp')}`);
  // one clause each: a stress named in one clause must not become the subject of another's figure (the check's rule 3)
  if (matters.length > 0) out.push(`What matters most: ${matters.join('; ')}.`);
  if (w.has('plan.saving')) out.push(planParagraph(w));
  else if (w.has('plan.actions')) out.push('The optimiser found no action that pays under its objective.');
  const change = changeSentence(w, ['book.xva_net', 'capital.capital', 'plan.saving']);
  if (change) out.push(change);
  return out;
}

/**
 * The plan, its saving against a stated denominator, the actions backed (only those the optimiser chose) and the
 * paying actions it did not choose, with its reason.
 */
function planParagraph(w: Writer): string {
  const nets = w.ranked(/^rec\.([^.]+)\.net_benefit$/);
  const chosen = (key: string) => w.has(`rec.${key}.chosen`) && w.value(`rec.${key}.chosen`) === 1;
  const rejected = (key: string) => w.has(`rec.${key}.chosen`) && w.value(`rec.${key}.chosen`) === 0;
  const known = nets.some((r) => w.has(`rec.${r.key}.chosen`));
  const realised = w.has('plan.realised') ? w.value('plan.realised') === 1 : undefined;
  let r = `The optimiser's plan of ${w.fig('plan.actions')} action(s) ${realised === false ? 'would save' : 'saves'} ${w.fig('plan.saving')}`;
  if (realised === true) r += ', measured on the amended book';
  if (realised === false) r += ' by the sum of its actions measured one by one (the whole plan was not re-measured)';
  if (w.has('plan.saving_pct_xva') && w.has('plan.base_xva')) {
    r += `: ${w.fig('plan.saving_pct_xva')} of ${w.fig('plan.base_xva')}, the book's CVA + FVA + MVA + KVA as the optimiser measured it on its own base run (not the net XVA cost above)`;
  }
  r += '.';
  // a plan that raises the MVA (an IM added, a set novated to a CCP): said, since the saving is net of it
  if (w.has('plan.mva_saving') && w.value('plan.mva_saving') < -0.5) r += ` The plan's MVA rises by ${w.fig('plan.mva_saving')}; the saving is net of it.`;
  const backed = nets.filter((x) => chosen(x.key) && x.value > 0.5).slice(0, 3);
  if (backed.length > 0) r += ` I back ${list(backed.map((x) => recSentence(w, x.key, false)))}.`;
  else if (!known) {
    const top = nets.filter((x) => x.value > 0.5).slice(0, 3);
    if (top.length > 0) r += ` The measured actions that pay most are ${list(top.map((x) => recSentence(w, x.key, false)))}; these results do not say which the optimiser chose.`;
  }
  const passed = nets.filter((x) => rejected(x.key) && x.value > 0.5).slice(0, 2);
  if (passed.length > 0) {
    r += ` The optimiser did not choose ${list(passed.map((x) => `${code(x.key)}, which would pay ${w.fig(x.id)} net (${w.note(`rec.${x.key}.chosen`) ?? 'no reason recorded'})`))}.`;
  }
  return r;
}

const WRITERS: Record<PersonaId, (w: Writer) => string[]> = {
  cva_trader: cvaTrader,
  fva_specialist: fvaSpecialist,
  capital_optimiser: capitalOptimiser,
  collateral_manager: collateralManager,
  head_of_desk: headOfDesk,
};

export const BUILTIN_MODEL = 'builtin-1';

export class BuiltinNarrator implements Narrator {
  readonly kind = 'builtin' as const;
  readonly model = BUILTIN_MODEL;
  readonly destination = 'nowhere (local, built-in)';

  async narrate(request: NarrationRequest): Promise<NarrationResult> {
    const w = new Writer(request.facts);
    const paragraphs = WRITERS[request.persona.id](w);
    return { paragraphs, facts: [...request.facts], cited: [...w.cited].sort(), narrator: 'builtin', model: this.model };
  }
}
