/**
 * Dynamic IM and the margin coverage scenarios, from the thirty-fifth session's DIM audit (helper 77):
 * - with 3 paths or fewer the DIM regression (three coefficients for the mean of the value changes, three for their
 *   variance) has no residual: every IM was 0 and the MVA 0, silently; now fewer than 8 paths is a usage error;
 * - a CCP posts no IM to its members (docs/margin.md, "Dynamic IM"), yet the coverage scenarios held c × the IM
 *   collected from NS_CCP and lowered its residual exposure by it. By hand: IM held 0 and residual max(E − c·VM, 0).
 */
import { describe, expect, it } from 'vitest';
import { xva } from './helpers/scaleCli.js';

describe('dynamic IM needs paths enough for its regression', () => {
  it('--dim --paths 4 exits 2 saying why (it gave a zero IM profile and MVA 0), as a flag checked before any work', async () => {
    const run = await xva(['margin', '--portfolio', 'test/data/small', '--dim', '--paths', '4']);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('error: --dim needs at least 8 paths (the dynamic IM\'s regression fits three coefficients to the mean and three to the variance of the value changes): give --paths 8 or more\n');
  });

  it('xva simulate --dynamic-im --paths 4: the same, before any work, also in a shard whose netting sets have no SIMM (an audit: 56 of 61 shards ran for nothing)', async () => {
    const single = await xva(['simulate', '--portfolio', 'test/data/small', '--dynamic-im', '--paths', '4', '--out', 'unused-out-dir']);
    expect(single.status).toBe(2);
    expect(single.stderr).toBe('error: --dynamic-im needs at least 8 paths (the dynamic IM\'s regression fits three coefficients to the mean and three to the variance of the value changes): give --paths 8 or more\n');
    const shard = await xva(['simulate', '--portfolio', 'test/data/small', '--dynamic-im', '--paths', '4', '--shard', '1/61', '--out', 'unused-out-dir']);
    expect(shard.status).toBe(2);
    expect(shard.stderr).toBe(single.stderr);
  });
});

describe('coverage scenarios hold no IM from a CCP', () => {
  it('NS_CCP: IM held 0, residual max(E − c·VM, 0); a bilateral set keeps c × its IM collected', async () => {
    const run = await xva(['margin', '--portfolio', 'test/data/small', '--scenarios', 'default', '--json']);
    expect(run.status, run.stderr).toBe(0);
    const doc = JSON.parse(run.stdout) as {
      nettingSets: { nettingSetId: string; imCollect: number }[];
      scenarios: { scenario: string; nettingSetId: string; coverage: number; exposure: number; vmHeld: number; imHeld: number; residualExposureStressed: number }[];
    };
    const ccp = doc.scenarios.filter((s) => s.nettingSetId === 'NS_CCP');
    expect(ccp.length).toBeGreaterThan(0);
    expect(doc.nettingSets.find((n) => n.nettingSetId === 'NS_CCP')!.imCollect).toBeGreaterThan(0); // the schedule IM it would be
    for (const s of ccp) {
      expect(s.imHeld).toBe(0);
      expect(s.residualExposureStressed).toBe(Math.max(s.exposure - s.vmHeld, 0));
    }
    const bilateral = doc.scenarios.find((s) => s.nettingSetId === 'NS_A_CSA')!;
    expect(bilateral.imHeld).toBe(bilateral.coverage * doc.nettingSets.find((n) => n.nettingSetId === 'NS_A_CSA')!.imCollect);
  });
});
