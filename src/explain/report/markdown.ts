/**
 * report.md of `xva explain`: executive summary, XVA by component and counterparty, top exposures, capital, margin,
 * stress results, the optimiser's recommendations with their measured savings, one section per persona, and an
 * appendix listing per section the narrator, model and the facts it cited. Every number in a table is a fact
 * (facts.ts) printed in full; prose comes from the narrators. Links are relative (charts beside the file, facts.json,
 * the results folder) or anchors of this file's headings.
 */
import type { ExplainData } from '../data.js';
import type { FactSet } from '../facts.js';
import { formatFigure, formatTableFigure } from '../format.js';
import type { Fact, PersonaSpec } from '../types.js';
import type { Chart } from './charts.js';

export interface ParagraphSource {
  narrator: string;
  model: string;
  cited: string[];
  /** True: the built-in writer's text replaced an LLM paragraph that failed the fact check. */
  flagged: boolean;
  reasons: string[];
}

export interface ReportSection {
  persona: PersonaSpec;
  paragraphs: string[];
  sources: ParagraphSource[];
  /** The LLM narrator failed and the built-in writer wrote the section (--fallback builtin). */
  narratorError?: string;
  /**
   * Paragraphs that failed the fact check and were left out (a built-in paragraph, or a model paragraph with no
   * passing built-in paragraph to stand in): never printed; the section says how many and why.
   */
  dropped?: { paragraph: string; reasons: string[] }[];
}

export interface ReportMeta {
  title: string;
  generatedFrom: string;
  narrator: string;
  destination: string;
  share: string;
  previous?: string;
  /** Relative path of the results folder read (when it is beside the report). */
  resultsLink?: string;
}

/** GitHub's heading anchor: lower case, spaces to '-', punctuation dropped. */
export function anchorOf(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s-]/gu, '').replace(/\s/g, '-');
}

const esc = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function table(head: string[], rows: string[][]): string[] {
  if (rows.length === 0) return ['_None._', ''];
  return [`| ${head.join(' | ')} |`, `|${head.map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`), ''];
}

export function renderMarkdown(data: ExplainData, facts: FactSet, sections: readonly ReportSection[], charts: readonly Chart[], meta: ReportMeta): string {
  const v = (id: string): string => {
    const f = facts.get(id);
    return f ? formatTableFigure(f.value, f.unit) : '–';
  };
  const short = (id: string): string => {
    const f = facts.get(id);
    return f ? formatFigure(f.value, f.unit, f.currency) : '–';
  };
  const chart = (file: string): string[] => {
    const c = charts.find((x) => x.file === file);
    return c ? [`![${c.title}](${c.file})`, '', `_${c.caption}_`, ''] : [];
  };
  const ccy = data.currency;
  const headings = ['Executive summary', 'XVA by component and counterparty', 'Top exposures', 'Capital', 'Margin', 'Stress results', 'Recommendations', ...sections.map((s) => s.persona.title), 'Appendix: sources of each section'];
  const L: string[] = [];
  L.push(`# ${meta.title}`, '');
  L.push(`As of ${data.asOf ?? 'unknown date'}; amounts in ${ccy} unless stated (margin in USD). Source: ${meta.generatedFrom}. Prose: ${meta.narrator} (data sent to ${meta.destination}; share level ${meta.share}).`, '');
  L.push(`Contents: ${headings.map((h) => `[${h}](#${anchorOf(h)})`).join(' · ')}`, '');
  L.push(`Facts behind every figure: [facts.json](facts.json)${meta.resultsLink ? `; tables of the runs: [${meta.resultsLink}](${meta.resultsLink})` : ''}.`, '');

  L.push('## Executive summary', '');
  const key: [string, string][] = [
    ['Net XVA cost (CVA − DVA + FVA)', 'book.xva_net'],
    ['CVA', 'book.cva'],
    ['DVA', 'book.dva'],
    ['FVA', 'book.fva'],
    ['Total capital', 'capital.capital'],
    ['KVA', 'capital.kva'],
    ['CET1 ratio impact (bp)', 'capital.cet1_impact_bp'],
    ['Initial margin posted (USD)', 'margin.im_post'],
    ['MVA (USD)', 'margin.mva'],
    ['Plan saving (measured)', 'plan.saving'],
  ];
  L.push(...table(['Figure', 'Value', 'In words'], key.filter(([, id]) => facts.has(id)).map(([label, id]) => [label, v(id), short(id)])));
  const head = sections.find((s) => s.persona.id === 'head_of_desk');
  if (head && head.paragraphs.length > 0) L.push(`> ${head.paragraphs[0]}`, '');
  if (data.missing.length > 0) L.push('Not available in these results (not estimated):', '', ...data.missing.map((m) => `- ${m}`), '');

  L.push('## XVA by component and counterparty', '');
  L.push(...table(['Component', ccy], [['CVA', 'book.cva'], ['DVA', 'book.dva'], ['FCA', 'book.fca'], ['FBA', 'book.fba'], ['ColVA', 'book.colva'], ['FVA = FCA − FBA + ColVA', 'book.fva'], ['Net XVA cost', 'book.xva_net'], [facts.has('run.sobol_points') ? 'CVA standard error (Monte Carlo formula: an overstatement on Sobol points)' : 'CVA standard error', 'book.cva_std_error']].filter(([, id]) => facts.has(id!)).map(([l, id]) => [l!, v(id!)])));
  L.push(...chart('xva-waterfall.svg'));
  const cps = (data.xva?.counterparties ?? []).slice(0, 15).map((c) => c.counterpartyId);
  L.push(...table(['Counterparty', 'CVA', 'DVA', 'FCA', 'FBA', 'ColVA', '% of book CVA'], cps.map((id) => [id, v(`cp.${id}.cva`), v(`cp.${id}.dva`), v(`cp.${id}.fca`), v(`cp.${id}.fba`), v(`cp.${id}.colva`), v(`cp.${id}.cva_share`)])));
  const cs01 = data.xva?.cs01;
  if (cs01 && cs01.counterparties.length > 0) {
    const top = [...cs01.counterparties].sort((a, b) => Math.abs(b.cva) - Math.abs(a.cva) || (a.counterpartyId < b.counterpartyId ? -1 : 1)).slice(0, 10);
    L.push(...table(['Counterparty', 'Credit curve', 'CVA CS01 (per +1bp)', '% of book CS01'], top.map((c) => [c.counterpartyId, c.creditCurve, v(`cp.${c.counterpartyId}.cva_cs01`), v(`cp.${c.counterpartyId}.cva_cs01_share`)])));
    L.push(`_CVA change for a 1bp rise of every quote of the counterparty's curve (its CDS curve or proxy), on the same exposure; the book's: ${v('book.cva_cs01')}. Tenor by tenor: xva_cs01 of the XVA run._`, '');
  }

  L.push('## Top exposures', '');
  const sets = [...(data.exposure?.nettingSets ?? [])].sort((a, b) => (facts.get(`ns.${b.nettingSetId}.eepe`)?.value ?? b.peakEpe) - (facts.get(`ns.${a.nettingSetId}.eepe`)?.value ?? a.peakEpe) || (a.nettingSetId < b.nettingSetId ? -1 : 1)).slice(0, 10);
  L.push(...table(['Netting set', 'Counterparty', 'Effective EPE (Basel, 1y)', 'Peak EPE (discounted)', 'Peak PFE 95%', 'CVA'], sets.map((s) => [s.nettingSetId, s.counterpartyId, v(`ns.${s.nettingSetId}.eepe`), v(`ns.${s.nettingSetId}.peak_epe`), v(`ns.${s.nettingSetId}.peak_pfe`), v(`ns.${s.nettingSetId}.cva`)])));
  // the two EPE columns differ in basis: effective EPE is the Basel one (undiscounted EE, non-decreasing, over the first
  // year), peak EPE the largest discounted EPE over the life, so the first can exceed the second
  L.push('_Effective EPE: Basel, undiscounted and non-decreasing over the first year (CRE53); peak EPE: the largest discounted EPE over the life._', '');
  L.push(...chart('exposure-profiles.svg'));

  L.push('## Capital', '');
  L.push(...table(['Figure', ccy], [['SA-CCR EAD', 'capital.ead'], ['CCR RWA', 'capital.rwa_ccr'], ['CCR capital', 'capital.capital_ccr'], ['BA-CVA', 'capital.ba_cva'], ['CVA RWA', 'capital.rwa_cva'], ['CVA capital', 'capital.capital_cva'], ['Total capital', 'capital.capital'], ['Capital ratio (%)', 'capital.capital_ratio'], ['CET1 ratio impact (bp)', 'capital.cet1_impact_bp'], ['KVA', 'capital.kva']].filter(([, id]) => facts.has(id!)).map(([l, id]) => [l!, v(id!)])));
  const capCps = facts.list.filter((f) => /^capital\.cp\.[^.]+\.capital$/.test(f.id)).sort((a, b) => b.value - a.value || (a.id < b.id ? -1 : 1)).slice(0, 10).map((f) => f.id.split('.')[2]!);
  L.push(...table(['Counterparty', 'EAD', 'RWA', 'Capital', '% of CCR capital', 'KVA'], capCps.map((id) => [id, v(`capital.cp.${id}.ead`), v(`capital.cp.${id}.rwa`), v(`capital.cp.${id}.capital`), v(`capital.cp.${id}.capital_share`), v(`capital.cp.${id}.kva`)])));
  L.push(...chart('capital-by-counterparty.svg'));

  L.push('## Margin', '');
  L.push(...table(['Figure (USD)', 'Value'], [['SIMM IM collected', 'margin.simm_collect'], ['SIMM IM posted', 'margin.simm_post'], ['Schedule IM collected', 'margin.schedule_call'], ['Schedule IM posted', 'margin.schedule_post'], ['MVA', 'margin.mva'], ['Netting sets with a VM call today', 'margin.calls']].filter(([, id]) => facts.has(id!)).map(([l, id]) => [l!, v(id!)])));
  const imSets = facts.list.filter((f) => /^margin\.ns\.[^.]+\.im_post$/.test(f.id)).sort((a, b) => b.value - a.value || (a.id < b.id ? -1 : 1)).slice(0, 10).map((f) => f.id.slice('margin.ns.'.length, -'.im_post'.length));
  L.push(...table(['Netting set', 'IM collected', 'IM posted', 'MVA', 'VM call today'], imSets.map((id) => [id, v(`margin.ns.${id}.im_collect`), v(`margin.ns.${id}.im_post`), v(`margin.ns.${id}.mva`), facts.has(`margin.ns.${id}.margin_call`) ? `${v(`margin.ns.${id}.margin_call`)} ${facts.get(`margin.ns.${id}.margin_call`)!.currency ?? ''}`.trim() : '–'])));

  L.push('## Stress results', '');
  const scen = [...new Set(facts.list.filter((f) => /^scenario\.[^.]+\.d_net$/.test(f.id)).map((f) => f.id.split('.')[1]!))];
  // ΔDVA where the stresses move it (an own-credit stress moves the net cost through DVA alone)
  const withDva = scen.some((s) => Math.abs(facts.get(`scenario.${s}.d_dva`)?.value ?? 0) > 0);
  L.push(
    ...(withDva
      ? table(['Scenario', 'CVA', 'ΔCVA', 'ΔCVA %', 'ΔDVA', 'ΔFVA', 'Δ net XVA cost'], scen.map((s) => [s, v(`scenario.${s}.cva`), v(`scenario.${s}.d_cva`), v(`scenario.${s}.d_cva_pct`), v(`scenario.${s}.d_dva`), v(`scenario.${s}.d_fva`), v(`scenario.${s}.d_net`)]))
      : table(['Scenario', 'CVA', 'ΔCVA', 'ΔCVA %', 'ΔFVA', 'Δ net XVA cost'], scen.map((s) => [s, v(`scenario.${s}.cva`), v(`scenario.${s}.d_cva`), v(`scenario.${s}.d_cva_pct`), v(`scenario.${s}.d_fva`), v(`scenario.${s}.d_net`)]))),
  );
  // the netting sets whose CVA moves most under each stress (xva_scenarios_netting_set), largest first per scenario
  const drivers = facts.list.filter((f) => /^scenario\.[^.]+\.ns\.[^.]+\.d_cva$/.test(f.id)).map((f) => f.id.split('.'));
  if (drivers.length > 0) L.push(...table(['Scenario', 'Netting set', 'ΔCVA', '% of the book\'s ΔCVA'], drivers.map(([, s, , id]) => [s!, id!, v(`scenario.${s}.ns.${id}.d_cva`), v(`scenario.${s}.ns.${id}.d_cva_share`)])));
  L.push(...chart('stress-tornado.svg'));
  const capAll = (data.capital?.scenarios ?? []).map((s) => s.scenario);
  // a scenario is listed when it moves capital (the capital ratio; a credit stress on a book's CDS values) or the KVA
  // (a credit stress moves its survival terms)
  const capScen = capAll.filter((s) => Math.abs(facts.get(`capital.scenario.${s}.d_capital`)?.value ?? 0) > 0 || Math.abs(facts.get(`capital.scenario.${s}.d_kva`)?.value ?? 0) > 0);
  if (capAll.length > capScen.length) L.push(`Capital: ${capAll.length - capScen.length} of ${capAll.length} scenarios move neither capital nor KVA.`, '');
  if (capScen.length > 0) L.push(...table(['Capital scenario', 'Total capital', 'Δ capital', 'Δ KVA'], capScen.map((s) => [s, v(`capital.scenario.${s}.capital`), v(`capital.scenario.${s}.d_capital`), v(`capital.scenario.${s}.d_kva`)])));
  const marScen = (data.margin?.scenarios ?? []).map((s) => s.scenario);
  if (marScen.length > 0) L.push(...table(['Collateral scenario', 'Coverage %', 'Uncollateralised exposure (USD)', 'Change (USD)'], marScen.map((s) => [s, v(`margin.scenario.${s}.coverage`), v(`margin.scenario.${s}.residual`), v(`margin.scenario.${s}.d_residual`)])));

  L.push('## Recommendations', '');
  const o = data.optimize;
  if (!o) L.push('_No optimiser results._', '');
  else {
    if (o.plan) L.push(`Plan saving (${o.plan.source === 'realised' ? 'realised: the whole plan re-measured on the amended book' : 'estimated: the sum of the single actions'}): **${v('plan.saving')} ${ccy}**, ${v('plan.saving_pct_xva')}% of the optimiser's base XVA cost (${facts.has('plan.base_xva') ? `${v('plan.base_xva')} ${ccy} = ` : ''}CVA + FVA + MVA + KVA of the book as the optimiser measured it on its own base run, not the net XVA cost above), ${v('plan.saving_bp_notional')}bp of gross notional.`, '');
    const recs = [...o.recommendations].sort((a, b) => (a.rank ?? Infinity) - (b.rank ?? Infinity) || b.netBenefit - a.netBenefit || (a.actionId < b.actionId ? -1 : 1)).slice(0, 15);
    // every part of the net benefit has its column (an MVA the action raises, a year of collateral funding saved), so
    // that a row adds up: net benefit = CVA + FVA + MVA + KVA + collateral saved − cost
    const withCollateral = recs.some((r) => facts.has(`rec.${r.actionId}.collateral_saving`));
    L.push(
      ...table(
        ['Rank', 'Action', 'In plan', 'Lever', 'What', 'Net benefit', 'CVA saved', 'FVA saved', 'MVA saved', 'KVA saved', ...(withCollateral ? ['Collateral funding saved'] : []), 'Capital freed', 'Cost'],
        recs.map((r) => {
          const p = `rec.${r.actionId}`;
          return [r.rank === null ? '–' : String(r.rank), `\`${r.actionId}\``, r.chosen ? 'yes' : `no${r.skipReason ? ` (${r.skipReason})` : ''}`, r.lever, r.description, v(`${p}.net_benefit`), v(`${p}.cva_saving`), v(`${p}.fva_saving`), v(`${p}.mva_saving`), v(`${p}.kva_saving`), ...(withCollateral ? [facts.has(`${p}.collateral_saving`) ? v(`${p}.collateral_saving`) : '–'] : []), v(`${p}.capital_saving`), v(`${p}.cost`)];
        }),
      ),
    );
  }

  for (const s of sections) {
    L.push(`## ${s.persona.title}`, '');
    if (s.narratorError) L.push(`> The ${meta.narrator} narrator could not write this section (${s.narratorError}); the built-in writer did.`, '');
    s.paragraphs.forEach((p, i) => {
      L.push(p, '');
      const src = s.sources[i];
      if (src?.flagged && !s.narratorError) L.push(`> Flagged: this paragraph is the built-in writer's; the ${meta.narrator} paragraph failed the fact check (${src.reasons.join('; ')}).`, '');
    });
    if (s.dropped && s.dropped.length > 0) {
      L.push(`> Flagged: ${s.dropped.length} paragraph(s) of this section failed the fact check and were left out (${s.dropped.map((d) => d.reasons.join('; ')).join(' | ')}).`, '');
    }
  }

  L.push('## Appendix: sources of each section', '');
  for (const s of sections) {
    const by = new Map<string, { cited: Set<string>; flagged: number; paragraphs: number }>();
    for (const src of s.sources) {
      const k = `${src.narrator} (model ${src.model})`;
      const e = by.get(k) ?? { cited: new Set<string>(), flagged: 0, paragraphs: 0 };
      src.cited.forEach((c) => e.cited.add(c));
      e.paragraphs++;
      if (src.flagged) e.flagged++;
      by.set(k, e);
    }
    L.push(`### ${s.persona.title}`, '');
    for (const [k, e] of by) L.push(`- ${k}: ${e.paragraphs} paragraph(s)${e.flagged > 0 ? `, ${e.flagged} flagged (built-in replacement)` : ''}; facts cited: ${[...e.cited].sort().map((c) => `\`${c}\``).join(', ') || 'none'}`);
    if (s.dropped && s.dropped.length > 0) L.push(`- left out: ${s.dropped.length} paragraph(s) that failed the fact check`);
    L.push('');
  }
  L.push('Tables and charts: every figure is a fact of facts.json (source table and column in its `source`), not narrator output.', '');
  if (meta.previous) L.push(`What-changed facts (\`change.*\`) compare with ${meta.previous}.`, '');
  if (data.notes.length > 0) L.push('Notes of the runs:', '', ...data.notes.map((n) => `- ${n}`), '');
  return L.join('\n');
}

/** Facts as written to facts.json. */
export function factsDocument(facts: readonly Fact[], meta: { asOf: string | null; currency: string }): string {
  return JSON.stringify({ tool: 'xva explain', asOf: meta.asOf, currency: meta.currency, facts }, null, 1) + '\n';
}
