/**
 * Merging the shards of `xva margin` (marginShard.ts): every row of its tables is one netting set's (SIMM lines of a
 * netting set and side, IM and VM of a netting set, a netting set under a coverage scenario), computed by the single
 * run's code, so the merge reads the rows back (float64 bit for bit), puts them in the single run's order and writes
 * them with the single run's writer (margin/outputs.ts writeMarginTables):
 *   - margin_simm: netting sets in order of their first trade in the trades table (the shards record it), Call
 *     before Post as each shard wrote them;
 *   - margin_netting_sets: sorted by netting-set id, as margin/run.ts sorts them;
 *   - margin_scenarios: the scenarios in the order given, and within each the netting sets sorted by id;
 *   - margin_mva_scenarios (scenarios and an MVA): the same order;
 *   - margin_dim (with --dim): each DIM set's rows in the order of the single run's DIM run (the shards' dimOrder).
 * The tables hold no book totals (the console's scenario sums are not written), so nothing is re-added.
 */
import fs from 'node:fs';
import path from 'node:path';
import { XvaUsageError } from '../errors.js';
import { writeMarginTables } from '../margin/outputs.js';
import type { MarginRun, NettingSetMargin } from '../margin/run.js';
import type { DimProfile } from '../margin/dim.js';
import type { MporDays, SimmNettingSetResult } from '../margin/simm/types.js';
import type { CoverageOutcome } from '../margin/outputs.js';
import type { VmResult } from '../margin/vm.js';
import type { MvaScenarioOutcome } from '../margin/mvaScenarios.js';
import type { ShardSet } from './merge.js';
import { writeMergeRecord } from './mergeSimulate.js';
import { ShardTable } from './tables.js';

type SimmLine = SimmNettingSetResult['lines'][number];
const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const opt = (x: number | null): number | undefined => (x === null ? undefined : x);

export function mergeMargin(set: ShardSet, outDir: string): { files: string[]; nettingSets: number; counterparties: number } {
  const reference = set.shards[0]!;
  const options = reference.manifest.options as { simmVersion: string; mporDays: MporDays; scenarios: string[] };
  const simmGroups: { order: number; seq: number; result: SimmNettingSetResult }[] = [];
  const nettingSets: NettingSetMargin[] = [];
  const scenarioRows = new Map<string, CoverageOutcome[]>(options.scenarios.map((name) => [name, []]));
  const mvaRows = new Map<string, MvaScenarioOutcome[]>(options.scenarios.map((name) => [name, []]));
  const owner = new Map<string, string>();
  const dims: { order: number; profile: DimProfile }[] = [];
  let seq = 0;
  for (const shard of set.shards) {
    const margin = shard.manifest.margin as { nettingSetIds: string[]; simmOrder: Record<string, number>; dimOrder?: Record<string, number> } | undefined;
    if (!margin) throw new XvaUsageError(`${shard.name}: manifest.json has no margin section; re-run the shard`);

    const simm = ShardTable.read(shard.dir, 'margin_simm', '.arrow');
    const s = {
      id: simm.strings('netting_set_id'),
      side: simm.strings('side'),
      regulation: simm.strings('regulation'),
      productClass: simm.strings('product_class'),
      riskClass: simm.strings('risk_class'),
      marginType: simm.strings('margin_type'),
      bucket: simm.strings('bucket'),
      margin: simm.f64('margin_usd'),
    };
    let current: SimmNettingSetResult | undefined;
    for (let row = 0; row < s.id.length; row++) {
      const id = s.id[row]!;
      if (!current || current.portfolioId !== id || current.side !== s.side[row]) {
        const order = margin.simmOrder[id];
        if (order === undefined) throw new XvaUsageError(`${simm.where}: netting set ${id} is not in the manifest's SIMM order; re-run the shard`);
        // only the fields the table writer reads: the lines with their netting set, side and regulation
        current = { portfolioId: id, side: s.side[row], regulation: s.regulation[row]!, lines: [] as SimmLine[] } as unknown as SimmNettingSetResult;
        simmGroups.push({ order, seq: seq++, result: current });
      }
      current.lines.push({ productClass: s.productClass[row], riskClass: s.riskClass[row], marginType: s.marginType[row], bucket: s.bucket[row], margin: s.margin[row]! } as SimmLine);
    }

    const ns = ShardTable.read(shard.dir, 'margin_netting_sets', '.arrow');
    const n = {
      id: ns.strings('netting_set_id'),
      imModel: ns.strings('im_model'),
      simmCollect: ns.nullableF64('simm_collect_usd'),
      simmPost: ns.nullableF64('simm_post_usd'),
      scheduleCall: ns.nullableF64('schedule_call_usd'),
      schedulePost: ns.nullableF64('schedule_post_usd'),
      currency: [...(ns.table.getChild('collateral_currency')?.toArray() ?? [])] as (string | null)[],
      mtm: ns.nullableF64('mtm'),
      vmRequired: ns.nullableF64('vm_required'),
      csa: ns.nullableF64('credit_support_amount'),
      balance: ns.nullableF64('collateral_balance'),
      call: ns.nullableF64('margin_call'),
      limitedBy: [...(ns.table.getChild('call_limited_by')?.toArray() ?? [])] as (string | null)[],
      onFile: [...(ns.table.getChild('balance_on_file')?.toArray() ?? [])] as (boolean | null)[],
      mva: ns.nullableF64('mva_usd'),
      mvaSource: [...(ns.table.getChild('mva_source')?.toArray() ?? [])] as (string | null)[],
    };
    if (n.id.length !== margin.nettingSetIds.length || n.id.some((id, i) => id !== margin.nettingSetIds[i])) {
      throw new XvaUsageError(`${ns.where}: lists other netting sets than its manifest; re-run the shard`);
    }
    n.id.forEach((id, i) => {
      const other = owner.get(id);
      if (other) throw new XvaUsageError(`merge: netting set ${id} is in both ${other} and ${shard.name}`);
      owner.set(id, shard.name);
      const entry: NettingSetMargin = { nettingSetId: id, imModel: n.imModel[i]!, imCollect: 0 };
      const sc = opt(n.simmCollect[i]!), sp = opt(n.simmPost[i]!), hc = opt(n.scheduleCall[i]!), hp = opt(n.schedulePost[i]!), mva = opt(n.mva[i]!);
      if (sc !== undefined) entry.simmCollect = sc;
      if (sp !== undefined) entry.simmPost = sp;
      if (hc !== undefined) entry.scheduleCall = hc;
      if (hp !== undefined) entry.schedulePost = hp;
      if (n.currency[i] != null) entry.collateralCurrency = n.currency[i] as NettingSetMargin['collateralCurrency'];
      if (n.mtm[i] !== null) {
        // the written fields of the VM result (difference is not a column)
        entry.vm = { nettingSetId: id, exposure: n.mtm[i]!, vmRequired: n.vmRequired[i]!, creditSupportAmount: n.csa[i]!, balance: n.balance[i]!, marginCall: n.call[i]!, limitedBy: n.limitedBy[i] } as unknown as VmResult;
        entry.balanceOnFile = n.onFile[i] === true;
      }
      if (mva !== undefined) entry.mva = mva;
      const source = n.mvaSource[i];
      if (source === 'dim' || source === 'schedule' || source === 'initial_margin_posted') entry.mvaSource = source;
      nettingSets.push(entry);
    });

    const sc = ShardTable.read(shard.dir, 'margin_scenarios', '.arrow');
    const c = {
      scenario: sc.strings('scenario'),
      id: sc.strings('netting_set_id'),
      coverage: sc.f64('coverage'),
      exposure: sc.f64('exposure_usd'),
      vmHeld: sc.f64('vm_held_usd'),
      imHeld: sc.f64('im_held_usd'),
      base: sc.f64('residual_exposure_base_usd'),
      stressed: sc.f64('residual_exposure_stressed_usd'),
    };
    for (let row = 0; row < c.id.length; row++) {
      const rows = scenarioRows.get(c.scenario[row]!);
      if (!rows) throw new XvaUsageError(`${sc.where}: scenario ${c.scenario[row]} is not in the manifest's options; re-run the shard`);
      rows.push({ scenario: c.scenario[row]!, nettingSetId: c.id[row]!, coverage: c.coverage[row]!, exposure: c.exposure[row]!, vmHeld: c.vmHeld[row]!, imHeld: c.imHeld[row]!, residualExposureBase: c.base[row]!, residualExposureStressed: c.stressed[row]! });
    }
    if (margin.dimOrder && Object.keys(margin.dimOrder).length > 0) dims.push(...readDim(shard, margin.dimOrder));
    // margin_mva_scenarios: only in shards with an MVA and scenarios
    if (fs.existsSync(path.join(shard.dir, 'margin_mva_scenarios.arrow'))) {
      const mt = ShardTable.read(shard.dir, 'margin_mva_scenarios', '.arrow');
      const m = { scenario: mt.strings('scenario'), id: mt.strings('netting_set_id'), source: mt.strings('mva_source'), mva: mt.f64('mva_usd'), stressed: mt.f64('mva_stressed_usd') };
      for (let row = 0; row < m.id.length; row++) {
        const rows = mvaRows.get(m.scenario[row]!);
        const source = m.source[row];
        if (!rows || (source !== 'dim' && source !== 'schedule' && source !== 'initial_margin_posted')) throw new XvaUsageError(`${mt.where}: row ${row + 1} (scenario ${m.scenario[row]}, MVA source ${source}) is not one this version writes for the manifest's scenarios; re-run the shard`);
        rows.push({ scenario: m.scenario[row]!, nettingSetId: m.id[row]!, mvaSource: source, mva: m.mva[row]!, mvaStressed: m.stressed[row]! });
      }
    }
  }
  simmGroups.sort((a, b) => a.order - b.order || a.seq - b.seq);
  nettingSets.sort((a, b) => byId(a.nettingSetId, b.nettingSetId));
  const scenarios: CoverageOutcome[] = [];
  for (const rows of scenarioRows.values()) scenarios.push(...rows.sort((a, b) => byId(a.nettingSetId, b.nettingSetId)));
  const mvaScenarios: MvaScenarioOutcome[] = [];
  for (const rows of mvaRows.values()) mvaScenarios.push(...rows.sort((a, b) => byId(a.nettingSetId, b.nettingSetId)));
  const run: MarginRun = {
    source: 'portfolio',
    crifRows: 0,
    simm: simmGroups.map((g) => g.result),
    schedule: [],
    nettingSets,
    scenarios,
    mvaScenarios,
    dim: dims.sort((a, b) => a.order - b.order).map((d) => d.profile),
    notes: [],
    simmVersion: options.simmVersion,
    mporDays: options.mporDays,
  };
  const files = writeMarginTables(outDir, run);
  files.push(writeMergeRecord(set, outDir));
  const counterparties = set.shards.reduce((a, s) => a + s.section.counterpartyIds.length, 0);
  return { files, nettingSets: nettingSets.length, counterparties };
}

/** A shard's margin_dim rows as profiles (the fields the table writer reads), each with its place in the DIM run. */
function readDim(shard: ShardSet['shards'][number], dimOrder: Record<string, number>): { order: number; profile: DimProfile }[] {
  const t = ShardTable.read(shard.dir, 'margin_dim', '.arrow');
  const id = t.strings('netting_set_id');
  const dates = t.dates('date');
  const times = t.f64('time_years');
  const collect = t.f64('expected_im_collect_usd');
  const post = t.f64('expected_im_post_usd');
  const method = t.strings('method');
  const out: { order: number; profile: DimProfile }[] = [];
  for (let start = 0; start < id.length; ) {
    let end = start;
    while (end < id.length && id[end] === id[start]) end++;
    const order = dimOrder[id[start]!];
    if (order === undefined) throw new XvaUsageError(`${t.where}: netting set ${id[start]} is not in the manifest's DIM order; re-run the shard`);
    // only the fields the table writer reads (margin/outputs.ts dimTable)
    const profile = { nettingSetId: id[start]!, dates: dates.slice(start, end), times: times.slice(start, end), expectedImCollect: collect.slice(start, end), expectedImPost: post.slice(start, end), ...(method[start] === 'schedule' ? { method: 'schedule' } : {}) } as unknown as DimProfile;
    out.push({ order, profile });
    start = end;
  }
  if (out.length !== Object.keys(dimOrder).length) throw new XvaUsageError(`${t.where}: ${out.length} DIM netting sets against ${Object.keys(dimOrder).length} in the manifest; re-run the shard`);
  return out;
}
