/**
 * Merging the shards of `xva capital` (capitalShard.ts). The shards carry the Monte Carlo part, one netting set's
 * figures per row: the KVA's projected EAD profiles and the computed SA-CVA's CVA components. The book-level figures
 * are not sums of shard rows (BA-CVA, MAR50.14, today and at every KVA date; SA-CVA's aggregation, MAR50.53; RWA by
 * counterparty, CET1, the scenarios), so the merge reads the run's inputs again, checks each file's SHA-256 against
 * the shards' run key, and runs capital/run.ts runCapital with the shards' parts put back in the book's order (the
 * order of a single run's sums). The tables are the single run's writer's (capital/outputs.ts), bit for bit.
 *
 * The inputs are found where the shards read them (the manifests' paths) unless `--portfolio` / `--market` say
 * where they are mounted on the merging machine; a file that is missing or differs is an error naming it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { toIsoDate } from '../conventions/dates.js';
import { XvaUsageError } from '../errors.js';
import { sha256File } from '../exposure/outputs.js';
import { loadSimulationInputs } from '../exposure/simulate.js';
import { runCapital, type CapitalMonteCarlo, type CapitalRunOptions } from '../capital/run.js';
import { writeCapitalTables } from '../capital/outputs.js';
import type { SaCvaMarginType, SaCvaRiskType } from '../capital/sacva/index.js';
import type { CvaComponents } from '../capital/sacvaSensitivities.js';
import type { SaccrTimeConvention } from '../capital/saccr/index.js';
import type { Scenario, ScenarioShocks } from '../scenarios/types.js';
import type { GridSpec } from '../simulation/grid.js';
import { capitalInputFiles } from './capitalShard.js';
import type { ShardSet } from './merge.js';
import { writeMergeRecord } from './mergeSimulate.js';
import { ShardTable } from './tables.js';

export interface CapitalMergeInputs {
  /** Where the portfolio folder is on this machine (default: the path the shards recorded). */
  portfolio?: string;
  /** Where the market file is (default: market.yaml in `portfolio` when that is given, as for every command; else the recorded path). */
  market?: string;
  /** Where the SA-CVA sensitivity file is (default: under `portfolio` where the shards had it under theirs, else the recorded path). */
  sacvaSensitivities?: string;
}

interface RecordedOptions {
  portfolio: string;
  convention: SaccrTimeConvention;
  paths: number;
  seed: number;
  rng?: 'sobol';
  grid: GridSpec;
  kva: boolean;
  sacva: boolean;
  sacvaFile: boolean;
  sacvaPerfectHedges: string[];
  bacvaMaturity: [string, number][];
  scenarios: { name: string; description: string; shocks: ScenarioShocks }[];
}

interface CapitalSection {
  nettingSetIds: string[];
  counterpartyIds: string[];
  dates: string[];
  engineRuns: number;
}

/** The run's options and input paths on this machine, each input checked against the run key's SHA-256. */
async function resolveInputs(set: ShardSet, where: CapitalMergeInputs): Promise<CapitalRunOptions> {
  const reference = set.shards[0]!;
  const recorded = reference.manifest.options as RecordedOptions;
  const files = reference.manifest.inputs as Record<string, { path: string; sha256: string }>;
  const expected = reference.section.consistency.inputs;
  const portfolioDir = path.resolve(where.portfolio ?? recorded.portfolio);
  // --portfolio alone: its market.yaml, as every command defaults --market (the SHA-256 check below keeps it honest)
  const marketFile = path.resolve(where.market ?? (where.portfolio !== undefined ? path.join(portfolioDir, 'market.yaml') : files.market!.path));
  const relocate = (file: string) => (where.portfolio !== undefined ? path.join(portfolioDir, path.relative(recorded.portfolio, file)) : file);
  const underPortfolio = (file: string) => !path.relative(recorded.portfolio, file).startsWith('..') && !path.isAbsolute(path.relative(recorded.portfolio, file));
  const recordedSacva = files.sacvaSensitivities?.path;
  const sacvaFile = where.sacvaSensitivities !== undefined ? path.resolve(where.sacvaSensitivities) : recordedSacva !== undefined && underPortfolio(recordedSacva) ? relocate(recordedSacva) : recordedSacva;
  if (where.sacvaSensitivities !== undefined && recordedSacva === undefined) {
    throw new XvaUsageError('merge: --sacva-sensitivities: these capital shards computed the SA-CVA sensitivities themselves (no file was read)');
  }
  const problems: string[] = [];
  if (!fs.existsSync(portfolioDir) || !fs.statSync(portfolioDir).isDirectory()) problems.push(`the portfolio folder ${portfolioDir} is not here`);
  if (!fs.existsSync(marketFile)) problems.push(`the market file ${marketFile} is not here`);
  if (sacvaFile !== undefined && !fs.existsSync(sacvaFile)) problems.push(`the SA-CVA sensitivity file ${sacvaFile} is not here`);
  if (problems.length === 0) {
    const { portfolio } = await loadSimulationInputs(portfolioDir, marketFile);
    const found = capitalInputFiles(portfolioDir, marketFile, portfolio, sacvaFile);
    for (const name of [...new Set([...Object.keys(expected), ...Object.keys(found)])].sort()) {
      const file = found[name];
      if (file === undefined) {
        problems.push(`input ${name} (${relocate(files[name]?.path ?? name)}) is not here`);
        continue;
      }
      if (expected[name] === undefined) {
        problems.push(`input ${name} (${file}) was not read by the shards`);
        continue;
      }
      const sha = sha256File(file);
      if (sha !== expected[name]) problems.push(`input ${name} (${file}) is not the file the shards read (sha256 ${sha.slice(0, 12)}… vs ${expected[name]!.slice(0, 12)}…)`);
    }
  }
  if (problems.length > 0) {
    throw new XvaUsageError(
      `merge: xva capital forms the book's BA-CVA, SA-CVA and KVA from the run's inputs again, and they do not match the shards':\n  ${problems.join('\n  ')}\n` +
        'give --portfolio DIR, --market FILE and --sacva-sensitivities FILE where the same inputs are on this machine',
    );
  }
  const options: CapitalRunOptions = {
    portfolioDir,
    marketFile,
    convention: recorded.convention,
    effectiveMaturityYears: new Map(recorded.bacvaMaturity),
    sacva: recorded.sacva,
    kva: recorded.kva,
    paths: recorded.paths,
    seed: recorded.seed,
    ...(recorded.rng === 'sobol' ? { rng: 'sobol' as const } : {}),
    grid: recorded.grid,
    scenarios: recorded.scenarios.map((s): Scenario => ({ ...s, file: `scenario ${s.name} (shard manifest)` })),
  };
  if (sacvaFile !== undefined) {
    options.sacvaSensitivitiesFile = sacvaFile;
    options.sacvaPerfectlyHedged = recorded.sacvaPerfectHedges.map((spec) => {
      const [riskType, marginType] = spec.split(':');
      return { riskType: riskType as SaCvaRiskType, marginType: marginType as SaCvaMarginType };
    });
  }
  return options;
}

/** The shards' parts in the book's order (netting-set positions from the manifests). */
function monteCarloOf(set: ShardSet, withCva: boolean): CapitalMonteCarlo {
  const placed: { position: number; id: string; counterpartyId: string; ead: Float64Array; cva: Map<string, number> }[] = [];
  let dates: string[] | undefined;
  let dateSerials = new Int32Array(0);
  for (const shard of set.shards) {
    const section = shard.manifest.capital as CapitalSection | undefined;
    if (!section) throw new XvaUsageError(`${shard.name}: manifest.json has no capital section; re-run the shard`);
    if (section.nettingSetIds.length === 0) continue;
    const position = new Map(shard.section.nettingSetIds.map((id, i) => [id, shard.section.nettingSetIndices[i]!]));
    if (section.nettingSetIds.length !== shard.section.nettingSetIds.length || section.nettingSetIds.some((id) => !position.has(id))) {
      throw new XvaUsageError(`${shard.name}: its capital section lists other netting sets than its shard plan; re-run the shard`);
    }
    if (dates === undefined) dates = section.dates;
    else if (dates.length !== section.dates.length || dates.some((d, k) => d !== section.dates[k])) throw new XvaUsageError(`${shard.name}: its KVA dates differ from ${set.shards.find((s) => (s.manifest.capital as CapitalSection).nettingSetIds.length > 0)!.name}'s; re-run the shard`);
    const ead = ShardTable.read(shard.dir, 'capital_kva_ead', '.arrow');
    const eadIds = ead.strings('netting_set_id');
    const eadDates = ead.dates('date');
    const eadValues = ead.f64('ead');
    const n = section.dates.length;
    if (dateSerials.length !== n) dateSerials = Int32Array.from(eadDates.subarray(0, n));
    const profiles = new Map<string, Float64Array>();
    for (let i = 0; i < eadIds.length; i += n) profiles.set(eadIds[i]!, eadValues.slice(i, i + n));
    if (eadIds.length !== section.nettingSetIds.length * n || [...dateSerials].some((d, k) => toIsoDate(d) !== section.dates[k])) {
      throw new XvaUsageError(`${ead.where}: not one row per netting set and KVA date of the manifest; re-run the shard`);
    }
    const components = new Map<string, Map<string, number>>();
    if (withCva) {
      const table = ShardTable.read(shard.dir, 'capital_cva_components', '.arrow');
      const factor = table.strings('factor');
      const ids = table.strings('netting_set_id');
      const cva = table.f64('cva');
      for (let row = 0; row < factor.length; row++) {
        let m = components.get(ids[row]!);
        if (!m) components.set(ids[row]!, (m = new Map()));
        m.set(factor[row]!, cva[row]!);
      }
    }
    section.nettingSetIds.forEach((id, i) => {
      const profile = profiles.get(id);
      if (!profile) throw new XvaUsageError(`${ead.where}: no EAD profile for netting set ${id}; re-run the shard`);
      placed.push({ position: position.get(id)!, id, counterpartyId: section.counterpartyIds[i]!, ead: profile, cva: components.get(id) ?? new Map() });
    });
  }
  placed.sort((a, b) => a.position - b.position);
  const mc: CapitalMonteCarlo = {
    nettingSetIds: placed.map((p) => p.id),
    counterpartyIds: placed.map((p) => p.counterpartyId),
    dateSerials,
    eadProfiles: new Map(placed.map((p) => [p.id, p.ead])),
  };
  if (withCva) {
    // the labels of every bump: the engine bumps are the book's in each shard, the credit bumps each shard's own
    const cvaOf = (j: number, factor: string): number => {
      const v = placed[j]!.cva.get(factor);
      if (v === undefined) throw new XvaUsageError(`merge: no SA-CVA component '${factor}' for netting set ${placed[j]!.id} in its shard; re-run the shard`);
      return v;
    };
    const simulatedFactors = new Set<string>();
    const creditFactors = new Map<string, string>();
    for (const p of placed) {
      for (const f of p.cva.keys()) {
        if (f === 'base') continue;
        if (f.startsWith('credit ')) creditFactors.set(f, p.counterpartyId);
        else simulatedFactors.add(f);
      }
    }
    const n = placed.length;
    const components: CvaComponents = {
      nettingSetIds: mc.nettingSetIds,
      counterpartyIds: mc.counterpartyIds,
      base: Float64Array.from(placed, (_, j) => cvaOf(j, 'base')),
      simulatedFactors: [...simulatedFactors],
      simulated: [...simulatedFactors].map((f) => Float64Array.from({ length: n }, (_, j) => cvaOf(j, f))),
      creditFactors: [...creditFactors.keys()],
      credit: [...creditFactors].map(([f, cp]) => Float64Array.from({ length: n }, (_, j) => (placed[j]!.counterpartyId === cp ? cvaOf(j, f) : NaN))),
    };
    mc.cva = components;
  }
  return mc;
}

export async function mergeCapital(set: ShardSet, outDir: string, where: CapitalMergeInputs): Promise<{ files: string[]; nettingSets: number; counterparties: number }> {
  const options = await resolveInputs(set, where);
  const withCva = options.kva && options.sacva && options.sacvaSensitivitiesFile === undefined;
  const monteCarlo = options.kva ? monteCarloOf(set, withCva) : undefined;
  const run = await runCapital(options, monteCarlo);
  fs.mkdirSync(outDir, { recursive: true });
  const files = writeCapitalTables(outDir, run);
  files.push(writeMergeRecord(set, outDir));
  return { files, nettingSets: run.saccr.nettingSets.length, counterparties: run.rwa.byCounterparty.length };
}
