/**
 * `xva capital --shard K/N` + `xva merge`: the merged tables are a single `xva capital --out` run's byte for byte.
 * The reference is the unsharded run (a second computation of the same figures through one code path); tolerance
 * zero, because every shard row is one netting set's float64 (projected EAD, CVA under a bump) read back bit for bit,
 * and the merge forms the book's aggregates in the single run's order.
 *
 * The hedge book makes the comparison cover what does not add across shards: BA-CVA full (MAR50.20-24) with a
 * single-name hedge (DEALER's CDS bought on CPTY_S) in another shard than the hedged counterparty and an index
 * hedge, the KVA's BA-CVA at every date, a margined set's projected EAD, and the computed SA-CVA with counterparty
 * credit and reference credit delta. The built CLI's commands run inside this process (`xvaInProcess`) on a 17-set
 * slice of the demo book (test/helpers/demoSubset.ts), with the shard index from the flag, from JOB_COMPLETION_INDEX
 * and from AWS_BATCH_JOB_ARRAY_INDEX; the refusals in real processes (exit 2). A run on 2 worker threads
 * (capital/bumpPool.ts) gives the one-thread run's bytes.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCapital, type CapitalRunOptions } from '../src/capital/run.js';
import { runXva } from '../src/xva/run.js';
import { writeCapitalTables } from '../src/capital/outputs.js';
import { runCapitalShard } from '../src/scale/capitalShard.js';
import { mergeShards } from '../src/scale/merge.js';
import type { ShardSpec } from '../src/scale/shardSpec.js';
import { parseGridSpec } from '../src/simulation/grid.js';
import { writeDemoSubset } from './helpers/demoSubset.js';
import { copyTree, ensureBuilt, expectSameOutputs, xva, xvaInProcess } from './helpers/scaleCli.js';

const SWAP = path.resolve('test/data/kva_single_swap');
const TABLES = ['capital_book.arrow', 'capital_counterparty.arrow', 'capital_netting_set.arrow', 'capital_scenarios.arrow', 'capital_trade.arrow', 'kva_profile.arrow', 'sacva_sensitivities.arrow'];
let tmp: string;

/** kva_single_swap plus DEALER (CDS bought on CPTY_S and on an index) and CPTY_T (a swap under a CSA, 10-day MPoR). */
function hedgeBook(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const curve = (name: string, bp: number) => `    ${name}: { currency: EUR, recovery: 0.40, pillars: [ { tenor: 1Y, spreadBp: ${bp} }, { tenor: 5Y, spreadBp: ${bp} } ] }\n`;
  fs.writeFileSync(path.join(dir, 'market.yaml'), fs.readFileSync(path.join(SWAP, 'market.yaml'), 'utf8').replace('  names:\n', `  names:\n${curve('DEALER', 50)}${curve('CPTY_T', 180)}${curve('ITRAXX_FIN', 70)}`));
  fs.writeFileSync(
    path.join(dir, 'counterparties.csv'),
    fs.readFileSync(path.join(SWAP, 'counterparties.csv'), 'utf8') + 'DEALER,Dealer,financial,AA,europe,DEALER,0.4,false,\nCPTY_T,Counterparty T,technology,BB,europe,CPTY_T,0.4,false,\n',
  );
  fs.writeFileSync(
    path.join(dir, 'netting_sets.csv'),
    fs.readFileSync(path.join(SWAP, 'netting_sets.csv'), 'utf8') + 'NS_D,DEALER,false,,,,,,,,,EUR,false\nNS_T,CPTY_T,true,200000,200000,50000,50000,,,10,1,EUR,false\n',
  );
  const cds = (id: string, notional: number, maturity: string, name: string) => `${id},DEALER,NS_D,CDS,buy,EUR,${notional},2023-12-20,${maturity},0.01,,,,,,${name},`;
  fs.writeFileSync(
    path.join(dir, 'trades.csv'),
    [
      'trade_id,counterparty_id,netting_set_id,product,direction,currency,notional,start_date,maturity_date,fixed_rate,fixed_frequency,fixed_day_count,float_index,float_frequency,float_day_count,reference_entity,business_day_convention',
      'SWAP_5Y,CPTY_S,NS_S,IRS,pay,EUR,10000000,2024-01-02,2029-01-02,0.025,1Y,30/360,EUR-EURIBOR-6M,6M,ACT/360,,U',
      'SWAP_T,CPTY_T,NS_T,IRS,receive,EUR,8000000,2024-01-02,2031-01-02,0.028,1Y,30/360,EUR-EURIBOR-6M,6M,ACT/360,,U',
      cds('HEDGE_S', 3_000_000, '2028-01-02', 'CPTY_S'),
      cds('IDX_FIN', 2_000_000, '2027-01-02', 'ITRAXX_FIN'),
    ].join('\n') + '\n',
  );
  fs.writeFileSync(path.join(dir, 'reference_entities.csv'), 'name,kind,rating,grade,bacva_sector,bacva_risk_weight\nITRAXX_FIN,index,,IG,financial,\n');
}

const scenario = { name: 'capital_ratio_plus_1pct', description: 'CET1 requirement +1%', shocks: { capitalRatioAdd: 0.01 }, file: 'inline' };
const options = (dir: string, over: Partial<CapitalRunOptions> = {}): CapitalRunOptions => ({
  portfolioDir: dir,
  marketFile: path.join(dir, 'market.yaml'),
  convention: 'cre52',
  sacva: true,
  kva: true,
  paths: 32,
  seed: 11,
  grid: parseGridSpec('14,6M'),
  scenarios: [scenario],
  ...over,
});
const shardOf = (index: number, count: number): ShardSpec => ({ index, count, source: 'flag' });
/** A column's values, nulls kept. */
const column = (file: string, name: string): unknown[] => {
  const vector = tableFromIPC(fs.readFileSync(file)).getChild(name)!;
  return Array.from({ length: vector.length }, (_, i) => vector.get(i) as unknown);
};

beforeAll(() => {
  ensureBuilt();
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-scale-capital-'));
}, 300_000);

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('xva capital in shards + merge = one run (library, hedge book)', () => {
  let book: string;
  let single: string;

  beforeAll(async () => {
    book = path.join(tmp, 'hedge-book');
    hedgeBook(book);
    single = path.join(tmp, 'hedge-single');
    fs.mkdirSync(single);
    writeCapitalTables(single, await runCapital(options(book)));
  }, 120_000);

  it('3 shards: BA-CVA full with the hedge in another shard, KVA, computed SA-CVA — the same bytes', async () => {
    // not vacuous: the single run recognises both hedges and has credit and reference-credit sensitivities
    expect(column(path.join(single, 'capital_book.arrow'), 'ba_cva_version')).toEqual(['full']);
    const riskTypes = column(path.join(single, 'sacva_sensitivities.arrow'), 'risk_type');
    expect(riskTypes).toContain('CreditCounterparty');
    expect(riskTypes).toContain('CreditReference');
    expect(column(path.join(single, 'kva_profile.arrow'), 'ead').length).toBeGreaterThan(5);

    const shards = path.join(tmp, 'hedge-shards');
    const runs = [];
    for (const k of [1, 2, 3]) runs.push(await runCapitalShard({ ...options(book), shard: shardOf(k, 3), outDir: shards }));
    const shardOfSet = new Map(runs.flatMap((r) => r.plan.nettingSetIds.map((id) => [id, r.plan.shard.index] as const)));
    expect(shardOfSet.get('NS_D')).not.toBe(shardOfSet.get('NS_S')); // the hedge and the hedged name apart
    for (const r of runs) expect(r.valued).toBe(1);
    expect(runs[0]!.engineRuns).toBeGreaterThan(5); // base + the book's IR/vol/reference-credit bumps

    // a shard on 2 worker threads (its grid and factor blocks cross to the bump workers) writes the same parts
    const threaded = path.join(tmp, 'hedge-shard-threads');
    await runCapitalShard({ ...options(book, { threads: 2 }), shard: shardOf(1, 3), outDir: threaded });
    for (const table of ['capital_kva_ead.arrow', 'capital_cva_components.arrow']) {
      expect(fs.readFileSync(path.join(threaded, 'shard-1-of-3', table)).equals(fs.readFileSync(path.join(shards, 'shard-1-of-3', table))), table).toBe(true);
    }

    const merged = path.join(tmp, 'hedge-merged');
    const result = await mergeShards(shards, merged);
    expect(result).toMatchObject({ command: 'capital', shards: 3, nettingSets: 3, counterparties: 3 });
    expect(expectSameOutputs(single, merged)).toEqual(TABLES);
  }, 120_000);

  it('its sacva_sensitivities table reads back with --sacva-sensitivities: the same SA-CVA from the file as computed', async () => {
    const file = path.join(single, 'sacva_sensitivities.arrow');
    expect(tableFromIPC(fs.readFileSync(file)).schema.fields.map((f) => f.name)).toEqual(['risk_type', 'cva_type', 'margin_type', 'risk_factor', 'bucket', 'value']);
    const computed = column(path.join(single, 'capital_book.arrow'), 'sa_cva')[0] as number;
    expect(computed).toBeGreaterThan(0);
    const fromFile = await runCapital(options(book, { sacvaSensitivitiesFile: file, kva: false }));
    expect(fromFile.saCva!.capital).toBeCloseTo(computed, 6);
  });

  it('the same bytes with 2 worker threads (the base run on the engine\'s workers, the bumps on the SA-CVA bump pool)', async () => {
    const threaded = path.join(tmp, 'hedge-threads');
    fs.mkdirSync(threaded);
    writeCapitalTables(threaded, await runCapital(options(book, { threads: 2 })));
    expect(expectSameOutputs(single, threaded)).toEqual(TABLES);
  }, 120_000);

  it('--no-kva (today only) and --no-sacva shards merge to the single run too', async () => {
    for (const [name, over] of [
      ['nokva', { kva: false, sacva: false }],
      ['nosacva', { sacva: false }],
    ] as const) {
      const one = path.join(tmp, `${name}-single`);
      fs.mkdirSync(one);
      writeCapitalTables(one, await runCapital(options(book, over)));
      const shards = path.join(tmp, `${name}-shards`);
      for (const k of [1, 2]) await runCapitalShard({ ...options(book, over), shard: shardOf(k, 2), outDir: shards });
      const merged = path.join(tmp, `${name}-merged`);
      await mergeShards(shards, merged);
      const names = expectSameOutputs(one, merged);
      expect(names).toContain('capital_book.arrow');
      if (over.kva === false) expect(column(path.join(one, 'capital_book.arrow'), 'kva')).toEqual([null]);
    }
  }, 120_000);

  it('the merge reads the inputs again: moved inputs with --portfolio/--market, a changed input is named', async () => {
    const moved = path.join(tmp, 'hedge-book-moved');
    copyTree(book, moved);
    const merged = path.join(tmp, 'hedge-merged-moved');
    await mergeShards(path.join(tmp, 'hedge-shards'), merged, { portfolio: moved, market: path.join(moved, 'market.yaml') });
    expect(expectSameOutputs(path.join(tmp, 'hedge-single'), merged)).toEqual(TABLES);

    fs.appendFileSync(path.join(moved, 'reference_entities.csv'), 'ITRAXX_XO,index,,SG,,\n');
    const failed = mergeShards(path.join(tmp, 'hedge-shards'), path.join(tmp, 'hedge-merged-changed'), { portfolio: moved, market: path.join(moved, 'market.yaml') });
    await expect(failed).rejects.toThrow(/input reference_entities \(.*reference_entities\.csv\) is not the file the shards read \(sha256 [0-9a-f]{12}… vs [0-9a-f]{12}…\)/);
    fs.rmSync(path.join(moved, 'reference_entities.csv'));
    await expect(mergeShards(path.join(tmp, 'hedge-shards'), path.join(tmp, 'hedge-merged-gone'), { portfolio: moved, market: path.join(moved, 'market.yaml') })).rejects.toThrow(
      /input reference_entities \(.*reference_entities\.csv\) is not here/,
    );
  }, 120_000);
});

describe('capital shards run with --sacva-sensitivities, merged after the book moved (audit of the thirty-fourth session)', () => {
  it('--portfolio alone finds the market and the sensitivity file where they sit in the moved folder; --sacva-sensitivities names a file elsewhere', async () => {
    const book2 = path.join(tmp, 'sens-book');
    copyTree(path.join(tmp, 'hedge-book'), book2);
    fs.copyFileSync(path.join(tmp, 'hedge-single', 'sacva_sensitivities.arrow'), path.join(book2, 'sacva.arrow'));
    const over = { sacvaSensitivitiesFile: path.join(book2, 'sacva.arrow'), kva: false } as const;
    const one = path.join(tmp, 'sens-single');
    fs.mkdirSync(one);
    writeCapitalTables(one, await runCapital(options(book2, over)));
    const shards = path.join(tmp, 'sens-shards');
    for (const k of [1, 2]) await runCapitalShard({ ...options(book2, over), shard: shardOf(k, 2), outDir: shards });
    const moved = path.join(tmp, 'sens-book-moved');
    fs.renameSync(book2, moved);
    const merged = path.join(tmp, 'sens-merged');
    await mergeShards(shards, merged, { portfolio: moved });
    expect(expectSameOutputs(one, merged)).toContain('capital_book.arrow');
    // the file somewhere else: named with --sacva-sensitivities
    const elsewhere = path.join(tmp, 'sens-elsewhere.arrow');
    fs.renameSync(path.join(moved, 'sacva.arrow'), elsewhere);
    await expect(mergeShards(shards, path.join(tmp, 'sens-merged-2'), { portfolio: moved })).rejects.toThrow(/the SA-CVA sensitivity file .*sacva\.arrow is not here/);
    await mergeShards(shards, path.join(tmp, 'sens-merged-3'), { portfolio: moved, sacvaSensitivities: elsewhere });
    expect(expectSameOutputs(one, path.join(tmp, 'sens-merged-3'))).toContain('capital_book.arrow');
  }, 180_000);
});

describe('xva capital --rng sobol (library, hedge book)', () => {
  let book: string;
  let single: string;
  let sobol: Awaited<ReturnType<typeof runCapital>>;
  let philox: Awaited<ReturnType<typeof runCapital>>;
  const PATHS = 64;
  const sobolOptions = (over: Partial<CapitalRunOptions> = {}) => options(book, { rng: 'sobol', paths: PATHS, ...over });

  beforeAll(async () => {
    book = path.join(tmp, 'sobol-book');
    hedgeBook(book);
    single = path.join(tmp, 'sobol-single');
    fs.mkdirSync(single);
    sobol = await runCapital(sobolOptions());
    writeCapitalTables(single, sobol);
    philox = await runCapital(options(book, { paths: PATHS }));
  }, 120_000);

  it('the base CVA of the SA-CVA bumps is `xva cva --rng sobol`\'s (unilateral, mid), and within 4 standard errors of Philox\'s', async () => {
    // a second pipeline on the same draws: runXva with the same paths, seed, grid and rng, CVA unilateral and mid-point
    // as the SA-CVA sensitivities take it (the whole book's Sobol layout in both)
    const common = { portfolioDir: book, marketFile: path.join(book, 'market.yaml'), paths: PATHS, seed: 11, grid: parseGridSpec('14,6M'), threads: 1, xva: { discretisation: 'mid' as const, mode: 'unilateral' as const }, analysis: { top: 5, concentration: 0.2, materiality: 0 }, scenarios: [] };
    const xvaSobol = await runXva({ ...common, rng: 'sobol' });
    const xvaPhilox = await runXva(common);
    const base = (run: Awaited<ReturnType<typeof runCapital>>) => run.saCva!.sensitivities!.baseCva;
    expect(base(sobol)).toBeCloseTo(xvaSobol.result.book.cva, 6);
    expect(base(philox)).toBeCloseTo(xvaPhilox.result.book.cva, 6);
    expect(base(sobol)).not.toBe(base(philox));
    // both estimate the same CVA: the Philox estimate's standard error (the book's, from the paths) bounds the gap
    expect(Math.abs(base(sobol) - base(philox))).toBeLessThan(4 * xvaPhilox.result.book.cvaStdError);
    expect(sobol.notes.some((n) => n.includes(`engine runs of ${PATHS} Sobol paths`))).toBe(true);
  }, 120_000);

  it('2 shards + merge and a run on 2 worker threads give the single Sobol run\'s bytes (the bumps keep the whole book\'s points)', async () => {
    const shards = path.join(tmp, 'sobol-shards');
    for (const k of [1, 2]) await runCapitalShard({ ...sobolOptions(), shard: shardOf(k, 2), outDir: shards });
    const merged = path.join(tmp, 'sobol-merged');
    await mergeShards(shards, merged);
    expect(expectSameOutputs(single, merged)).toEqual(TABLES);
    // a Philox shard does not merge with a Sobol one
    const mixed = path.join(tmp, 'sobol-mixed');
    await runCapitalShard({ ...options(book, { paths: PATHS }), shard: shardOf(1, 2), outDir: mixed });
    fs.cpSync(path.join(shards, 'shard-2-of-2'), path.join(mixed, 'shard-2-of-2'), { recursive: true });
    await expect(mergeShards(mixed, path.join(tmp, 'sobol-mixed-merged'))).rejects.toThrow(/option rng/);
    const threaded = path.join(tmp, 'sobol-threads');
    fs.mkdirSync(threaded);
    writeCapitalTables(threaded, await runCapital(sobolOptions({ threads: 2 })));
    expect(expectSameOutputs(single, threaded)).toEqual(TABLES);
    // and they are not the Philox run's
    const philoxDir = path.join(tmp, 'sobol-philox');
    fs.mkdirSync(philoxDir);
    writeCapitalTables(philoxDir, philox);
    expect(fs.readFileSync(path.join(philoxDir, 'kva_profile.arrow')).equals(fs.readFileSync(path.join(single, 'kva_profile.arrow')))).toBe(false);
  }, 180_000);
});

describe('xva capital in 3 shards + xva merge = one run (CLI commands, demo slice)', () => {
  // the commands run inside this process (xvaInProcess) on the 17-set slice of the demo book, one thread each
  // (threads are covered by the library test above); without the computed SA-CVA, whose shards (engine bumps, credit
  // bumps, hedges in another shard) the library test above covers: here the command, the shard index from the flag
  // and from the schedulers' variables, --json, and the merge
  let demo: string;
  const RUN = (): string[] => ['capital', '--portfolio', demo, '--paths', '16', '--grid', '20,6M', '--scenarios', 'default', '--threads', '1', '--no-sacva', '--quiet'];
  beforeAll(async () => {
    demo = await writeDemoSubset(path.join(tmp, 'demo-slice'));
  });

  it('writes the single run tables byte for byte', async () => {
    const single = path.join(tmp, 'demo-single');
    const shards = path.join(tmp, 'demo-shards');
    const runs = await Promise.all([
      xvaInProcess([...RUN(), '--out', single]),
      xvaInProcess([...RUN().filter((a) => a !== '--quiet'), '--json', '--shard', '1/3', '--out', shards]),
      xvaInProcess([...RUN(), '--shards', '3', '--out', shards], { JOB_COMPLETION_INDEX: '1' }),
      xvaInProcess([...RUN(), '--shards', '3', '--out', shards], { AWS_BATCH_JOB_ARRAY_INDEX: '2' }),
    ]);
    for (const run of runs) expect(run.status, run.stderr).toBe(0);
    const summary = JSON.parse(runs[1]!.stdout) as { shard: string; nettingSets: number; engineRuns: number; folder: string };
    expect(summary).toMatchObject({ shard: '1/3', folder: path.join(shards, 'shard-1-of-3') });
    expect(summary.nettingSets).toBeGreaterThan(0);
    expect(summary.nettingSets).toBeLessThan(17);
    expect(summary.engineRuns).toBe(1); // the base run only (no SA-CVA bumps)
    const merged = path.join(tmp, 'demo-merged');
    const run = await xvaInProcess(['merge', shards, '--out', merged]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain('Merged 3 shards of xva capital (17 netting sets, 17 counterparties)');
    expect(expectSameOutputs(single, merged)).toEqual(TABLES.filter((t) => t !== 'sacva_sensitivities.arrow'));
  }, 180_000);

  it('refused with exit 2: --explain-trade, no --out; --portfolio on a merge of other shards', async () => {
    const explain = await xva(['capital', '--shard', '1/2', '--explain-trade', 'X', '--out', path.join(tmp, 'never')]);
    expect(explain.status).toBe(2);
    expect(explain.stderr).toBe("error: --explain-trade is not supported with --shard: it prints one trade's SA-CCR derivation, which needs no simulation; run it unsharded\n");
    const noOut = await xva(['capital', '--shard', '1/2']);
    expect(noOut.status).toBe(2);
    expect(noOut.stderr).toBe('error: --shard needs --out DIR: the shard folder is written under it\n');
    expect(fs.existsSync(path.join(tmp, 'never'))).toBe(false);

    const margin = path.join(tmp, 'margin-shards');
    for (const k of [1, 2]) expect((await xvaInProcess(['margin', '--portfolio', demo, '--quiet', '--shard', `${k}/2`, '--out', margin])).status).toBe(0);
    const wrong = await xva(['merge', margin, '--out', path.join(tmp, 'margin-merged'), '--portfolio', demo]);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toBe('error: merge: --portfolio, --market and --sacva-sensitivities are for xva capital shards; the shards of xva margin carry all the merge needs\n');
  }, 120_000);
});
