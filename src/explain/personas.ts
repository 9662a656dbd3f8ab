/**
 * The desk personas of `xva explain` (docs/explain.md, "Personas"): four desk roles and the head of desk, by title,
 * in the order of their dependencies (CVA → FVA → capital → collateral → head of desk). Each has a role prompt, the
 * facts it starts from and read-only tools over the results (PersonaTool): book and counterparty figures, the
 * exposure profile of a netting set, CVA allocations, scenario results, the optimiser's recommendations, and the
 * incremental what-ifs of whatIf.ts. Tools return the facts they reveal, so prose may cite them.
 */
import type { ExplainData } from './data.js';
import type { FactSet } from './facts.js';
import type { Fact, PersonaId, PersonaSpec, PersonaTool, ShareLevel } from './types.js';
import type { WhatIfEngine } from './whatIf.js';

const COMMON =
  'You write one section of a board report on the XVA desk of a bank, for readers who are not quants. Use only the ' +
  'figures you are given or that your tools return, rounded as prose rounds them (1.2m, 12bp, 3.4%); never invent a ' +
  'figure. Say what drives the numbers, how concentrated they are, what the stresses do and what to do about it. ' +
  'Plain sentences, two to four short paragraphs, no tables.';

export const PERSONAS: readonly PersonaSpec[] = [
  {
    id: 'cva_trader',
    title: 'CVA trader',
    dependsOn: [],
    rolePrompt: `${COMMON} You are the CVA trader: counterparty credit risk. Explain book CVA and DVA, which counterparties and netting sets drive CVA and their shares, the largest exposures (EPE, PFE, effective EPE), how CVA moves under the credit stresses, and which hedges or CSA changes would cut it.`,
  },
  {
    id: 'fva_specialist',
    title: 'FVA specialist',
    dependsOn: ['cva_trader'],
    rolePrompt: `${COMMON} You are the FVA specialist: the cost of funding uncollateralised exposure. Explain FCA, FBA and ColVA, which counterparties drive FVA, how funding stresses move it, and how it relates to the CVA section before yours.`,
  },
  {
    id: 'capital_optimiser',
    title: 'Capital optimiser',
    dependsOn: ['cva_trader', 'fva_specialist'],
    rolePrompt: `${COMMON} You are the capital optimiser: regulatory capital. Explain SA-CCR EAD, RWA, the CVA capital charge (BA-CVA), total capital, the CET1 ratio impact and KVA, which counterparties use the most capital, how the capital-ratio stress moves it, and which recommendations free the most capital.`,
  },
  {
    id: 'collateral_manager',
    title: 'Collateral manager',
    dependsOn: ['cva_trader', 'fva_specialist', 'capital_optimiser'],
    rolePrompt: `${COMMON} You are the collateral manager: initial margin (SIMM and schedule), variation margin, MVA and the collateral the desk posts and holds. Explain IM collected and posted, margin calls today, what lower collateral coverage does to the uncollateralised exposure, and the collateral and CSA recommendations.`,
  },
  {
    id: 'head_of_desk',
    title: 'Head of desk',
    dependsOn: ['cva_trader', 'fva_specialist', 'capital_optimiser', 'collateral_manager'],
    rolePrompt: `${COMMON} You are the head of desk: integrate the four sections before yours into the board's view. The total cost of the book (XVA and capital), the two or three things that matter most, what changed since the last run, and the actions you back, with their measured savings.`,
  },
];

export function persona(id: PersonaId): PersonaSpec {
  return PERSONAS.find((p) => p.id === id)!;
}

/** Which facts each persona starts from (the tools reveal the rest). */
/** What each stress shocks (facts.ts, from its scenario file): every persona that names a stress may say its size. */
const SHOCKS = /^scenario\.[^.]+\.(credit_spread_shift_bp|own_credit_spread_shift_bp|funding_spread_shift_bp|collateral_coverage|capital_ratio_shift_pp)$/;

const START: Record<PersonaId, RegExp[]> = {
  cva_trader: [/^run\.(sobol_points|cs01_shift_bp)$/, /^book\.(cva|dva|cva_std_error|cva_std_error_pct|counterparties|netting_sets|cva_top5|cva_top5_share|eepe|concentration_threshold|cva_cs01|dva_cs01)$/, /^cp\.[^.]+\.(cva|cva_share|dva|cva_cs01|cva_cs01_share)$/, /^ns\.[^.]+\.(cva|eepe|peak_pfe|peak_epe)$/, /^trade\./, /^scenario\.[^.]+\.(cva|d_cva|d_cva_pct|d_dva)$/, /^scenario\.[^.]+\.ns\.[^.]+\.(d_cva|d_cva_share)$/, /^change\.(book\.(cva|dva|eepe)|cp\.)/, SHOCKS],
  fva_specialist: [/^book\.(fca|fba|colva|fva|cva|xva_net)$/, /^cp\.[^.]+\.(fva|fca|fba|colva|fva_share|netting_sets|csa_netting_sets)$/, /^scenario\.[^.]+\.(fva|d_fva|d_net)$/, /^scenario\.[^.]+\.ns\.[^.]+\.(d_fva|d_fva_share)$/, /^change\.book\.(fva|xva_net)/, SHOCKS],
  capital_optimiser: [/^capital\./, /^rec\.[^.]+\.(capital_saving|kva_saving|ead_saving|d_cet1_bp|net_benefit|cost|chosen)$/, /^plan\.(capital_saving|kva_saving|saving)$/, /^change\.capital\./, SHOCKS],
  collateral_manager: [/^margin\./, /^rec\.[^.]+\.(mva_saving|fva_saving|cva_saving|kva_saving|collateral_saving|d_dva|net_benefit|cost|chosen)$/, /^change\.margin\./, SHOCKS],
  head_of_desk: [/^book\.(cva|dva|fva|xva_net|cva_top5_share)$/, /^capital\.(capital|kva|cet1_impact_bp|rwa_ccr|ead)$/, /^margin\.(simm_post|simm_collect|mva)$/, /^plan\./, /^rec\.[^.]+\.(net_benefit|cost|chosen|cva_saving|fva_saving|mva_saving|kva_saving|collateral_saving|d_dva)$/, /^change\./, /^scenario\.[^.]+\.d_net$/, SHOCKS],
};

/** The facts a persona starts from, filtered for the share level (trade-level facts only with --share trade-level). */
export function startingFacts(id: PersonaId, facts: FactSet, share: ShareLevel): Fact[] {
  const patterns = START[id];
  return facts.list.filter((f) => (share === 'trade-level' || !f.tradeLevel) && patterns.some((p) => p.test(f.id)));
}

export interface ToolContext {
  data: ExplainData;
  facts: FactSet;
  share: ShareLevel;
  /** Loads the what-if engine on first use (undefined: no exposure tables or market to re-price with). */
  whatIf?: () => Promise<WhatIfEngine>;
}

const str = (args: Record<string, unknown>, key: string): string => {
  const v = args[key];
  if (typeof v !== 'string' || v === '') throw new Error(`argument ${key}: a non-empty string is needed`);
  return v;
};

function tools(ctx: ToolContext): Record<string, PersonaTool> {
  const visible = (list: Fact[]) => list.filter((f) => ctx.share === 'trade-level' || !f.tradeLevel);
  const reveal = (list: Fact[]) => {
    const shown = visible(list);
    return { data: shown.map((f) => ({ id: f.id, label: f.label, value: f.value, unit: f.unit, ...(f.currency ? { currency: f.currency } : {}) })), facts: shown };
  };
  const byPattern = (p: RegExp) => ctx.facts.list.filter((f) => p.test(f.id));
  return {
    book_figures: {
      name: 'book_figures',
      description: 'Book-level figures: XVA (CVA, DVA, FCA, FBA, ColVA, FVA), capital (EAD, RWA, BA-CVA, capital, KVA, CET1 impact), margin (SIMM, MVA), the plan saving.',
      parameters: { type: 'object', properties: {}, additionalProperties: false },
      run: async () => reveal(byPattern(/^(book|capital|margin|plan)\.[^.]+$/)),
    },
    counterparty_figures: {
      name: 'counterparty_figures',
      description: "One counterparty's figures: CVA, DVA, FVA and shares of the book, EAD, RWA, capital and KVA.",
      parameters: { type: 'object', properties: { counterpartyId: { type: 'string', description: 'counterparty id, e.g. CP0001' } }, required: ['counterpartyId'], additionalProperties: false },
      run: async (args) => {
        const id = str(args, 'counterpartyId');
        return reveal([...ctx.facts.under(`cp.${id}.`), ...ctx.facts.under(`capital.cp.${id}.`)]);
      },
    },
    exposure_profile: {
      name: 'exposure_profile',
      description: 'The exposure profile of one netting set: EPE and PFE (95%) by time in years, effective EPE, peaks.',
      parameters: { type: 'object', properties: { nettingSetId: { type: 'string' } }, required: ['nettingSetId'], additionalProperties: false },
      run: async (args) => {
        const id = str(args, 'nettingSetId');
        const p = ctx.data.exposure?.nettingSets.find((n) => n.nettingSetId === id);
        if (!p) return { data: { error: `no exposure profile for netting set ${id}` }, facts: [] };
        const r = reveal(ctx.facts.under(`ns.${id}.`));
        const step = Math.max(1, Math.ceil(p.timeYears.length / 24));
        const points = [];
        for (let k = 0; k < p.timeYears.length; k += step) points.push({ timeYears: p.timeYears[k], epe: p.epe[k], pfe: p.pfe[k] });
        return { data: { nettingSetId: id, counterpartyId: p.counterpartyId, figures: r.data, profile: points }, facts: r.facts };
      },
    },
    allocations: {
      name: 'allocations',
      description: 'CVA allocated to counterparties (largest first, with shares of the book); with trade-level sharing also the largest Euler trade contributions.',
      parameters: { type: 'object', properties: { top: { type: 'number', description: 'how many counterparties (default 10)' } }, additionalProperties: false },
      run: async (args) => {
        const top = typeof args.top === 'number' && args.top > 0 ? Math.min(Math.floor(args.top), 50) : 10;
        const ids = (ctx.data.xva?.counterparties ?? []).slice(0, top).map((c) => c.counterpartyId);
        return reveal([...ids.flatMap((id) => [ctx.facts.get(`cp.${id}.cva`), ctx.facts.get(`cp.${id}.cva_share`)]).filter((f): f is Fact => f !== undefined), ...byPattern(/^trade\./)]);
      },
    },
    scenario_results: {
      name: 'scenario_results',
      description: 'Stress scenarios: XVA, capital and collateral-coverage results and their changes against the base.',
      parameters: { type: 'object', properties: {}, additionalProperties: false },
      run: async () => reveal(byPattern(/^(scenario|capital\.scenario|margin\.scenario)\./)),
    },
    recommendations: {
      name: 'recommendations',
      description: "The optimiser's measured recommendations: each action's savings (CVA, FVA, MVA, KVA, EAD, capital), cost and net benefit, and the plan's saving.",
      parameters: { type: 'object', properties: {}, additionalProperties: false },
      run: async () => {
        const r = reveal(byPattern(/^(rec|plan)\./));
        const actions = (ctx.data.optimize?.recommendations ?? []).map((a) => ({ actionId: a.actionId, lever: a.lever, description: a.description, chosen: a.chosen, rank: a.rank, ...(a.skipReason ? { notChosenBecause: a.skipReason } : {}) }));
        return { data: { actions, figures: r.data }, facts: r.facts };
      },
    },
    what_if_action: {
      name: 'what_if_action',
      description: 'Incremental effect of proposed actions of the optimiser, as it measured them (the engine re-run on the netting sets each touches). Several actions are summed: an estimate, since actions interact.',
      parameters: { type: 'object', properties: { actionIds: { type: 'array', items: { type: 'string' } } }, required: ['actionIds'], additionalProperties: false },
      run: async (args) => {
        const ids = Array.isArray(args.actionIds) ? args.actionIds.filter((x): x is string => typeof x === 'string') : [];
        const recs = (ctx.data.optimize?.recommendations ?? []).filter((r) => ids.includes(r.actionId));
        if (recs.length === 0) return { data: { error: `no measured action among ${ids.join(', ') || '(none)'}` }, facts: [] };
        const facts = recs.flatMap((r) => ctx.facts.under(`rec.${r.actionId}.`));
        const sum = (k: 'dCva' | 'dFva' | 'dKva' | 'dCapital' | 'netBenefit') => recs.reduce((a, r) => a + r[k], 0);
        const ccy = ctx.data.currency;
        const summed: Fact[] =
          recs.length > 1
            ? [
                { id: `whatif.${ids.join('+')}.net_benefit`, label: 'summed net benefit of the actions (estimate)', value: sum('netBenefit'), unit: 'currency', currency: ccy, source: 'recommendations:Σ net_benefit' },
                { id: `whatif.${ids.join('+')}.cva_saving`, label: 'summed CVA saving of the actions (estimate)', value: -sum('dCva'), unit: 'currency', currency: ccy, source: 'recommendations:−Σ d_cva' },
              ]
            : [];
        const r = reveal([...facts, ...summed]);
        return { data: { actions: recs.map((a) => a.description), figures: r.data, note: recs.length > 1 ? 'sum of single measurements: the actions interact' : 'measured by the optimiser' }, facts: r.facts };
      },
    },
    what_if_spread: {
      name: 'what_if_spread',
      description: "CVA of one counterparty if its credit spread moved by spreadBp (its own exposure profiles, no new simulation).",
      parameters: { type: 'object', properties: { counterpartyId: { type: 'string' }, spreadBp: { type: 'number' } }, required: ['counterpartyId', 'spreadBp'], additionalProperties: false },
      run: async (args) => {
        if (!ctx.whatIf) return { data: { error: 'no exposure tables and market to re-price credit (give --portfolio/--market with the results)' }, facts: [] };
        const id = str(args, 'counterpartyId');
        const bp = Number(args.spreadBp);
        if (!Number.isFinite(bp) || Math.abs(bp) > 5000) return { data: { error: 'spreadBp must be a number of basis points within ±5000' }, facts: [] };
        let w;
        try {
          w = (await ctx.whatIf()).spread(id, bp);
        } catch (error) {
          return { data: { error: `what-if not available: ${(error as Error).message}` }, facts: [] };
        }
        const ccy = ctx.data.currency;
        const base = `whatif.spread.${id}.${bp}`;
        const facts: Fact[] = [
          { id: `${base}.cva`, label: `CVA of ${id} with its spread moved ${bp}bp`, value: w.cvaAfter, unit: 'currency', currency: ccy, source: 'what-if: cva from exposure_netting_set, shocked curve' },
          { id: `${base}.d_cva`, label: `change of CVA of ${id} with its spread moved ${bp}bp`, value: w.cvaAfter - w.cvaBefore, unit: 'currency', currency: ccy, source: 'what-if' },
          { id: `${base}.shift_bp`, label: `spread move of ${id}, bp`, value: bp, unit: 'bp', source: 'what-if argument' },
        ];
        return { data: { counterpartyId: id, spreadBp: bp, cvaBefore: w.cvaBefore, cvaAfter: w.cvaAfter }, facts };
      },
    },
  };
}

const TOOLS_OF: Record<PersonaId, string[]> = {
  cva_trader: ['book_figures', 'counterparty_figures', 'exposure_profile', 'allocations', 'scenario_results', 'recommendations', 'what_if_action', 'what_if_spread'],
  fva_specialist: ['book_figures', 'counterparty_figures', 'exposure_profile', 'scenario_results', 'recommendations', 'what_if_action'],
  capital_optimiser: ['book_figures', 'counterparty_figures', 'allocations', 'scenario_results', 'recommendations', 'what_if_action'],
  collateral_manager: ['book_figures', 'counterparty_figures', 'exposure_profile', 'scenario_results', 'recommendations', 'what_if_action'],
  head_of_desk: ['book_figures', 'scenario_results', 'recommendations', 'what_if_action'],
};

/** The read-only tools of one persona. */
export function personaTools(id: PersonaId, ctx: ToolContext): PersonaTool[] {
  const all = tools(ctx);
  return TOOLS_OF[id].map((name) => all[name]!);
}
