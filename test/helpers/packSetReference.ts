/**
 * A second packing of node tables for the GPU valuation kernel, written from the layout's definition in
 * src/exposure/backends/gpu/wgsl/value.ts over compile.ts ratePoolNodeTables: the reference that
 * tables.ts packKernelTables (which packs straight from the kernels) must equal bit for bit.
 */
import type { RatePoolNodeTables } from '../../src/exposure/valuation/index.js';
import type { LegTerm } from '../../src/exposure/valuation/options.js';
import type { DeviceFactorIndex, PackedSet } from '../../src/exposure/backends/gpu/tables.js';
import { ENTRY_REALS, ENTRY_WORDS, LEG_REALS, LEG_WORDS, SLOT_WORDS, VALUE_HEADER } from '../../src/exposure/backends/gpu/wgsl/value.js';

const NO_FX = 0xffffffff;
const NO_MASK = 0xffffffff;
const F32_MAX = 3.4028234663852886e38;

export function packSetReference(tables: readonly RatePoolNodeTables[], dates: Int32Array, nDates: number, resident: DeviceFactorIndex, paths: { seed: number; pathOffset: number }): PackedSet {
  const nSlots = tables.length;
  let nEntries = 0;
  let nGroups = 0;
  let nReals = 0;
  let nLegs = 0;
  let nTerms = 0;
  for (const t of tables) {
    for (const leg of t.legs) {
      nLegs++;
      const terms = leg.termsA.length + leg.termsB.length + leg.termsE.length;
      nTerms += terms;
      nReals += LEG_REALS + terms + (leg.data ? leg.data.length : 0);
    }
    const pools = t.irIndex.length;
    nEntries += pools;
    nGroups += t.groupFix.length;
    // a function's width: its moments (order ≥ 1) or its node values
    for (let i = 0; i < pools; i++) {
      const width = t.order[i]! > 0 ? t.order[i]! : t.gridNodes;
      nReals += ENTRY_REALS + (1 + t.groupStart[i + 1]! - t.groupStart[i]!) * width;
    }
    // a masked pool: its bridge's weight and deviation, then its intervals
    nReals += t.groupCoef.length + t.maskIntervals.length + 2 * t.maskIndex.filter((m) => m >= 0).length;
  }
  const entries0 = VALUE_HEADER + SLOT_WORDS * nSlots;
  const fix0 = entries0 + ENTRY_WORDS * nEntries;
  const legs0 = fix0 + nGroups;
  const terms0 = legs0 + LEG_WORDS * nLegs;
  const ints = new Uint32Array(terms0 + 2 * nTerms);
  const reals = new Float32Array(nReals);
  ints[1] = nDates;
  ints[2] = resident.numeraireFactor;
  ints[3] = nSlots;
  ints[5] = fix0;
  ints[6] = legs0;
  ints[7] = terms0;
  // the block's first global path and the seed's Philox key: its low and high 32 bits
  ints[8] = paths.pathOffset;
  ints[9] = paths.seed % 4294967296;
  ints[10] = Math.floor(paths.seed / 4294967296);
  let entry = 0;
  let group = 0;
  let real = 0;
  let leg = 0;
  let term = 0;
  let node = 0;
  const factorOf = (t: LegTerm): number => (t.kind === 'ir' ? t.index : t.kind === 'fx' ? resident.fxFactor0 + t.index : resident.eqFactor0 + t.index);
  tables.forEach((t, slot) => {
    const G = t.gridNodes;
    const S = t.runningSlopes;
    const pools = t.irIndex.length;
    ints.set([dates[slot]!, entry, pools, leg, t.legs.length], VALUE_HEADER + SLOT_WORDS * slot);
    for (let i = 0; i < pools; i++) {
      const g0 = t.groupStart[i]!;
      const groups = t.groupStart[i + 1]! - g0;
      const fx = t.fxIndex[i]!;
      const intervals = t.maskIntervals.subarray(2 * t.maskStart[i]!, 2 * t.maskStart[i + 1]!);
      const stateFactor = t.creditState[i] === 1 ? resident.creditFactor0 + t.irIndex[i]! : t.irIndex[i]!;
      const order = t.order[i]!;
      const width = order > 0 ? order : G;
      ints.set([stateFactor, fx < 0 ? NO_FX : resident.fxFactor0 + fx, real, group, groups, t.maskIndex[i]! < 0 ? NO_MASK : t.maskIndex[i]!, intervals.length / 2, order, node, t.maskIndex[i]! < 0 ? NO_MASK : t.maskNext[i]!, t.maskStream[i]!], entries0 + ENTRY_WORDS * entry);
      node += (1 + groups) * G;
      for (let q = 0; q < groups; q++) ints[fix0 + group + q] = t.groupFix[g0 + q]!;
      reals[real] = t.x0[i]!;
      reals[real + 1] = t.h[i]!;
      reals.set(t.nodes.subarray(i * G, i * G + width), real + ENTRY_REALS);
      // per fixing group: its Taylor coefficients c1..c3, then its grid function (width reals)
      for (let q = 0; q < groups; q++) {
        const at = real + ENTRY_REALS + width + q * (S + width);
        reals.set(t.groupCoef.subarray((g0 + q) * S, (g0 + q + 1) * S), at);
        reals.set(t.runNodes.subarray((g0 + q) * G, (g0 + q) * G + width), at + S);
      }
      // a masked pool's bridge weight and deviation, then its exercise intervals, after the running nodes; an infinite
      // end as the largest f32 (a state never reaches it)
      let iv0 = real + ENTRY_REALS + width + groups * (S + width);
      if (t.maskIndex[i]! >= 0) {
        reals[iv0] = t.maskWeight[i]!;
        reals[iv0 + 1] = t.maskSd[i]!;
        iv0 += 2;
      }
      for (let r = 0; r < intervals.length; r++) reals[iv0 + r] = Math.max(-F32_MAX, Math.min(F32_MAX, intervals[r]!));
      real = iv0 + intervals.length;
      group += groups;
      entry++;
    }
    for (const l of t.legs) {
      // the kernel's kind codes (wgsl/value.ts), written out here
      const kind = { black: 0, exercised: 1, linear: 2, lgm: 3 }[l.kind];
      ints.set([kind, l.termsA.length, l.termsB.length, l.termsE.length, term, real], legs0 + LEG_WORDS * leg);
      reals.set([l.scale, l.omega, l.sd, l.constA, l.constB, l.constE], real);
      let r = real + LEG_REALS;
      for (const x of [...l.termsA, ...l.termsB, ...l.termsE]) {
        ints[terms0 + 2 * term] = factorOf(x);
        ints[terms0 + 2 * term + 1] = x.grid;
        reals[r++] = x.coefficient;
        term++;
      }
      // an lgm leg's bonds and intervals after its coefficients
      if (l.data) for (const x of l.data) reals[r++] = x;
      real = r;
      leg++;
    }
  });
  return { ints, reals, nSlots, nodeCount: node };
}


