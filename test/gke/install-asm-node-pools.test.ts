/**
 * install_asm's `validate_node_pool`, predicted (src/gke/install-asm-node-pools.ts). The expected
 * verdicts were not worked out by hand: each case was run through the real function, taken from
 * install_asm on release-1.6-asm (5cd7169e) and release-1.7-asm (1179749a), in bash 5.2 with
 * jq 1.6, behind a stand-in gcloud applying its filter as resource_expr.py does (1.6 exit 0 =
 * passes, exit 2 or 5 = refuses; 1.7 always exits 0, "[WARNING]" = warns). The same harness agreed
 * with the model on 400 generated pool lists. install_asm is not vendored here, so the verdicts
 * are recorded.
 */
import { describe, expect, it } from 'vitest';
import {
  describePrediction,
  installAsmFilterKeeps,
  predictValidateNodePool,
} from '../../src/gke/install-asm-node-pools.ts';
import type { NodePool } from '../../src/snapshot/model.ts';

function pool(
  name: string,
  machineType: string,
  initialNodeCount?: number,
  autoscaling?: NodePool['autoscaling'],
): NodePool {
  return {
    name,
    machineType,
    ...(initialNodeCount === undefined ? {} : { initialNodeCount }),
    ...(autoscaling === undefined ? {} : { autoscaling }),
  };
}

const cases: readonly (readonly [string, readonly NodePool[], 'passes' | 'refuses', 'passes' | 'warns'])[] = [
  ['one pool, 2 x e2-standard-4', [pool('a', 'e2-standard-4', 2)], 'passes', 'passes'],
  ['one pool, 1 x e2-standard-4', [pool('a', 'e2-standard-4', 1)], 'refuses', 'warns'],
  [
    'two pools, 2 x e2-standard-4 each',
    [pool('a', 'e2-standard-4', 2), pool('b', 'e2-standard-4', 2)],
    'refuses',
    'passes',
  ],
  [
    'two pools, 1 x e2-standard-4 each',
    [pool('a', 'e2-standard-4', 1), pool('b', 'e2-standard-4', 1)],
    'refuses',
    'warns',
  ],
  ['custom-4-16384 x 1 (read as 16384 vCPUs)', [pool('a', 'custom-4-16384', 1)], 'passes', 'passes'],
  [
    'autoscaled: initialNodeCount 1, maxNodeCount 2',
    [pool('a', 'e2-standard-4', 1, { enabled: true, minNodeCount: 1, maxNodeCount: 2 })],
    'passes',
    'passes',
  ],
  [
    'autoscaled: initialNodeCount 3, maxNodeCount 1',
    [pool('a', 'e2-standard-4', 3, { enabled: true, maxNodeCount: 1 })],
    'refuses',
    'warns',
  ],
  [
    'autoscaling present but not enabled: initialNodeCount counts',
    [pool('a', 'e2-standard-4', 2, { minNodeCount: 1, maxNodeCount: 1 })],
    'passes',
    'passes',
  ],
  [
    'autoscaled by totalMaxNodeCount only (no maxNodeCount)',
    [pool('a', 'e2-standard-8', 1, { enabled: true, totalMaxNodeCount: 9 })],
    'refuses',
    'warns',
  ],
  ['no initialNodeCount (the API omits 0)', [pool('a', 'e2-standard-8')], 'refuses', 'warns'],
  [
    'e2-standard-8 x 1, then e2-medium',
    [pool('a', 'e2-standard-8', 1), pool('b', 'e2-medium', 3)],
    'refuses',
    'passes',
  ],
  [
    'e2-medium, then e2-standard-8 x 1',
    [pool('a', 'e2-medium', 3), pool('b', 'e2-standard-8', 1)],
    'refuses',
    'warns',
  ],
  [
    'e2-standard-2 x 5 and a2-highgpu-1g: nothing kept',
    [pool('a', 'e2-standard-2', 5), pool('b', 'a2-highgpu-1g', 1)],
    'refuses',
    'warns',
  ],
  [
    'a2-highgpu-8g kept as text, jq stops before n1-standard-16',
    [pool('a', 'a2-highgpu-8g', 1), pool('b', 'n1-standard-16', 1)],
    'refuses',
    'warns',
  ],
  ['no pools', [], 'refuses', 'warns'],
];

describe("install_asm's validate_node_pool", () => {
  it.each(cases)('%s: 1.6 %s, 1.7 %s', (_, pools, asm16, asm17) => {
    expect(predictValidateNodePool(pools, 'asm-1.6').verdict).toBe(asm16);
    expect(predictValidateNodePool(pools, 'asm-1.7').verdict).toBe(asm17);
  });

  it.each([
    ['e2-standard-4', true],
    ['e2-standard-2', false],
    ['n1-standard-16', true],
    ['custom-4-16384', true],
    ['e2-medium', true],
    ['e2-small', true],
    ['g1-small', true],
    ['a2-highgpu-1g', false],
    ['a2-highgpu-8g', true],
    ['n2d-custom-4-16384-ext', true],
    ['zz-3', false],
    ['', false],
  ] as const)("gcloud's filter keeps %s: %s", (type, kept) => {
    expect(installAsmFilterKeeps(type)).toBe(kept);
  });

  it('never reads the current size or the zones: per-zone counts only', () => {
    const regional = { ...pool('a', 'e2-standard-4', 1), locations: ['z1', 'z2', 'z3'] };
    const prediction = predictValidateNodePool([regional], 'asm-1.6');
    expect(prediction.printed).toEqual([4]);
    expect(prediction.verdict).toBe('refuses');
  });

  it('1.7 counts the largest product printed before jq stops; 1.6 one product only', () => {
    const pools = [pool('a', 'e2-standard-4', 1), pool('b', 'n1-standard-8', 2), pool('c', 'e2-small', 1)];
    const asm17 = predictValidateNodePool(pools, 'asm-1.7');
    expect(asm17.printed).toEqual([4, 16]);
    expect(asm17.failedAt?.pool.name).toBe('c');
    expect(asm17.counted).toBe(16);
    expect(predictValidateNodePool(pools, 'asm-1.6').counted).toBeUndefined();
  });

  it('says how it reads the pools', () => {
    const pools = [
      pool('a', 'e2-standard-4', 1, { enabled: true, maxNodeCount: 3 }),
      pool('b', 'e2-medium', 2),
    ];
    expect(describePrediction(predictValidateNodePool(pools, 'asm-1.6'))).toBe(
      'it reads a: autoscaling.maxNodeCount 3 x 4 = 12; b: "medium", the end of e2-medium, is no number, so jq ' +
        'stops there; a jq error ends install_asm 1.6 (set -e)',
    );
    expect(describePrediction(predictValidateNodePool([pool('a', 'e2-standard-4', 1)], 'asm-1.7'))).toBe(
      'it takes the largest of a: initialNodeCount 1 x 4 = 4, needing at least 8',
    );
  });
});
