/**
 * The GPU backend at the device's limits, from the thirty-fifth session's audit (helper 75): a dispatch over 65,535
 * workgroups (4.3 million paths in one block) and a binding over the largest storage binding (one netting set of
 * 14,010 trades on llvmpipe's 128 MiB) were refused by Dawn, which printed its message on stdout (before `--json`'s
 * document) and went on: the refused submissions' buffers read back as zeros, and the run wrote every figure as 0
 * with exit 0.
 *
 * Now (1) every error the device reports is kept, not printed, and the next read-back throws (the run stops before
 * writing); (2) a path block holds at most maxComputeWorkgroupsPerDimension × 64 paths, and blocks give the same paths
 * as one; (3) a set whose node tables exceed the binding is valued on the host with a note naming why, and its figures
 * are then the host's CPU kernels on the device's paths, bit for bit; (4) `--backend auto` falling back to the CPU
 * writes why into the manifest.
 *
 * Run on whatever WebGPU adapter opens (CI: Mesa llvmpipe); skipped, with the reason printed, where none does.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GpuContext } from '../src/exposure/backends/gpu/device.js';
import { gpuSimulatePaths, gpuSimulateResident } from '../src/exposure/backends/gpu/kernels.js';
import { GpuSetValuation } from '../src/exposure/backends/gpu/valuation.js';
import { factorNeeds, runSimulation, type SimulationOptions } from '../src/exposure/engine.js';
import { loadSimulationInputs } from '../src/exposure/simulate.js';
import type { Market } from '../src/market/types.js';
import type { Portfolio } from '../src/portfolio/types.js';
import { buildCrossAssetModel } from '../src/simulation/crossAsset/model.js';
import { parseGrid } from '../src/simulation/grid.js';
import { buildFactorLayout } from '../src/simulation/layout.js';
import type { SimulatedPaths } from '../src/simulation/types.js';
import { openTestGpu } from './helpers/gpu.js';
import { xva } from './helpers/scaleCli.js';

const ROOT = path.resolve('.');
const DEMO = path.resolve('fixtures/demo');
const ctx: GpuContext | undefined = await openTestGpu('gpu-device-limits');
afterAll(() => ctx?.destroy());
const noGpu = (): boolean => ctx === undefined;

let market: Market;
let portfolio: Portfolio;
beforeAll(async () => {
  ({ market, portfolio } = await loadSimulationInputs(DEMO, path.join(DEMO, 'market.yaml')));
});

describe('a submission the device refuses', () => {
  it.skipIf(noGpu())('stops the run at the next read-back, and Dawn prints nothing on stdout', () => {
    // a device of its own, in a process of its own (its stdout is Dawn's), asked for 70,000 workgroups in x
    const script = `
      import { openGpu, assertDeviceHealthy } from ${JSON.stringify(path.join(ROOT, 'dist/src/exposure/backends/gpu/device.js'))};
      const gpu = await openGpu({ allowSoftware: true });
      const device = gpu.device;
      const module = device.createShaderModule({ code: '@compute @workgroup_size(64) fn main() {}' });
      const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      pass.setPipeline(pipeline);
      pass.dispatchWorkgroups(70000);
      pass.end();
      device.queue.submit([encoder.finish()]);
      await device.queue.onSubmittedWorkDone();
      try { assertDeviceHealthy(device); process.stderr.write('RESULT no error\\n'); }
      catch (e) { process.stderr.write('RESULT ' + e.name + ': ' + e.message + '\\n'); }
      gpu.destroy();`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe('');
    const result = /^RESULT (.*)$/m.exec(run.stderr)?.[1];
    expect(result).toMatch(/^XvaInternalError: the GPU device \(.*\) refused the work: Dispatch workgroup count X \(70000\) exceeds max compute workgroups per dimension \(65535\)\. \(and 1 more\); the run stopped before writing its outputs \(--backend cpu computes them\)$/);
  }, 90_000);
});

describe('path blocks within the workgroup limit', () => {
  it.skipIf(noGpu())('a block holds at most maxComputeWorkgroupsPerDimension × 64 paths; the blocks give the one block\'s paths, bit for bit', async () => {
    const layout = buildFactorLayout(market, factorNeeds(portfolio.trades));
    const model = buildCrossAssetModel(market, layout);
    const grid = parseGrid('1M,1Y,5Y', market.asOf);
    const nPaths = 300;
    // a device that takes 2 workgroups a dimension: blocks of 128 paths (128, 128, 44)
    const narrow: GpuContext = { ...ctx!, maxComputeWorkgroupsPerDimension: 2 };
    const blocks = await gpuSimulateResident(narrow, model, grid, 11, nPaths, false, true, undefined, true);
    const whole = await gpuSimulatePaths(ctx!, model, grid, 11, nPaths, false);
    try {
      expect(blocks.blocks.map((b) => b.count)).toEqual([128, 128, 44]);
      const a: SimulatedPaths = blocks.paths;
      for (const key of ['irState', 'fxLog', 'eqLog', 'creditState'] as const) a[key].forEach((xs, i) => expect(Array.from(xs), `${key}[${i}]`).toEqual(Array.from(whole[key][i]!)));
      expect(Array.from(a.numeraire)).toEqual(Array.from(whole.numeraire));
    } finally {
      blocks.release();
    }
  }, 120_000);
});

describe('a set over the largest storage binding', () => {
  it.skipIf(noGpu())('is valued on the host, its note says why, and its figures are the CPU kernels\' on the device\'s paths', async () => {
    const chosen = new Set(portfolio.nettingSets.slice(0, 10).map((n) => n.nettingSetId));
    const book: Portfolio = { ...portfolio, nettingSets: portfolio.nettingSets.filter((n) => chosen.has(n.nettingSetId)), trades: portfolio.trades.filter((t) => chosen.has(t.nettingSetId)) };
    const options: SimulationOptions = {
      paths: 64,
      seed: 3,
      grid: { kind: 'list', tenors: [{ count: 1, unit: 'M' }, { count: 1, unit: 'Y' }, { count: 5, unit: 'Y' }] },
      threads: 1,
      antithetic: false,
      pfeQuantile: 0.95,
      skipUnsupported: false,
    };
    // every set on the host, on the device's paths (the same kernel: the same paths, whatever the block size)
    const host = await runSimulation({ portfolio: book, market, options: { ...options, pathSimulator: (m, g, seed, n, anti) => gpuSimulatePaths(ctx!, m, g, seed, n, anti) } });
    // a binding of 16 paths' states: the path blocks fit, the larger sets' node tables do not
    const layout = buildFactorLayout(market, factorNeeds(book.trades));
    const factors = layout.currencies.length + layout.fxCurrencies.length + layout.equities.length + layout.creditNames.length + 1;
    const small: GpuContext = { ...ctx!, maxStorageBufferBindingSize: 16 * 4 * factors * host.grid.times.length };
    const notes: string[] = [];
    const valuation = new GpuSetValuation(small, (note) => notes.push(note));
    const simulate = Object.assign((...a: Parameters<typeof valuation.simulate>) => valuation.simulate(...a), { deviceValuation: valuation });
    const device = await runSimulation({ portfolio: book, market, options: { ...options, pathSimulator: simulate } });
    const over = valuation.routing.host.filter((h) => /^its node tables \(\d+\.\d MiB\) exceed the device's largest storage binding \(\d+\.\d MiB\)$/.test(h.reason));
    expect(over.length).toBeGreaterThan(0);
    expect(valuation.routing.device.length).toBeGreaterThan(0); // the smaller sets still fit
    for (const { nettingSetId } of over) {
      const g = device.nettingSets.find((s) => s.nettingSetId === nettingSetId)!;
      const h = host.nettingSets.find((s) => s.nettingSetId === nettingSetId)!;
      for (const key of ['epe', 'ene', 'pfe', 'collateral'] as const) expect(Array.from(g.profile[key]), `${nettingSetId} ${key}`).toEqual(Array.from(h.profile[key]));
      expect(Array.from(g.tradeEpe)).toEqual(Array.from(h.tradeEpe));
    }
    expect(notes.join(' ')).toContain("exceed the device's largest storage binding");
  }, 180_000);
});

describe('--backend auto falling back to the CPU', () => {
  it.skipIf(ctx !== undefined && !ctx.adapter.software)('writes why into the manifest (it went to stderr only, and not at all with --quiet)', async () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), 'xva-auto-'));
    try {
      const run = await xva(['simulate', '--portfolio', 'test/data/small', '--paths', '16', '--threads', '1', '--backend', 'auto', '--quiet', '--out', out]);
      expect(run.status, run.stderr).toBe(0);
      const manifest = JSON.parse(fs.readFileSync(path.join(out, 'manifest.json'), 'utf8')) as { options: { backend: string; backendNotes?: string[] } };
      expect(manifest.options.backend).toBe('cpu');
      expect(manifest.options.backendNotes?.[0]).toMatch(/^--backend auto: CPU backend, because no usable WebGPU adapter: /);
    } finally {
      fs.rmSync(out, { recursive: true, force: true });
    }
  }, 120_000);
});
