/**
 * The differential property of SPEC §12: for generated v1alpha1 objects and requests, what
 * `meshready convert` writes allows a request exactly when Istio 1.4 did (reference/istio14.ts
 * against reference/istio16.ts), or meshready refused an object that decided it. Seeded and quick
 * in `npm test`; `npm run fuzz:convert` runs many more with a fresh seed (MESHREADY_FUZZ_RUNS,
 * MESHREADY_FUZZ_SEED to replay one).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, visit } from 'yaml';
import { convertSnapshot } from '../../src/convert/index.ts';
import { renderPoliciesYaml } from '../../src/convert/yaml.ts';
import { snapshotFromDocuments } from '../../src/snapshot/load.ts';
import { type ConvertOutcome, compare, describeMismatch } from './reference/differential.ts';
import { ROOT, requestArbitrary, worldArbitrary, worldDocuments } from './reference/generate.ts';
import type { KubeDoc, World } from './reference/world.ts';

const FUZZ = process.env.MESHREADY_FUZZ === '1';
const RUNS = Number(process.env.MESHREADY_FUZZ_RUNS ?? (FUZZ ? 20_000 : 250));
const SEED = Number(process.env.MESHREADY_FUZZ_SEED ?? (FUZZ ? Date.now() : 1_406_240));
const REQUESTS_PER_WORLD = 24;

function convertWorld(world: World, ignoreUnknownFields = false): ConvertOutcome {
  const snapshot = snapshotFromDocuments({ documents: worldDocuments(world) });
  const result = convertSnapshot(snapshot, {
    rootNamespace: ROOT,
    allowNoClusterRbacConfig: false,
    ignoreUnknownFields,
  });
  const yaml = renderPoliciesYaml(result.objects);
  const parsed = parseAllDocuments(yaml);
  for (const doc of parsed) {
    visit(doc, {
      Alias() {
        throw new Error(`the YAML has an alias:\n${yaml}`);
      },
    });
  }
  const warnings =
    (result as { warnings?: readonly { source: ConvertOutcome['warned'][number] }[] }).warnings ?? [];
  return {
    yaml,
    objects: parsed.map((d) => d.toJS() as KubeDoc),
    refused: result.problems.map((p) => ({ ...p.source, reason: p.reason })),
    warned: warnings.map((w) => w.source),
  };
}

describe('convert is never wider and never silently narrower than Istio 1.4 (differential)', () => {
  it(
    `${RUNS} generated meshes, ${REQUESTS_PER_WORLD} requests each (seed ${SEED})`,
    () => {
      let checked = 0;
      let possible = 0;
      fc.assert(
        fc.property(
          worldArbitrary,
          fc.array(requestArbitrary, { minLength: REQUESTS_PER_WORLD, maxLength: REQUESTS_PER_WORLD }),
          fc.boolean(),
          (world, requests, ignoreUnknownFields) => {
            const outcome = convertWorld(world, ignoreUnknownFields);
            for (const refusal of outcome.refused) expect(refusal.reason).not.toBe('');
            const comparison = compare(world, requests, outcome);
            checked += comparison.checked;
            possible += comparison.checked + comparison.exempt;
            const [first] = comparison.mismatches;
            if (first) throw new Error(describeMismatch(world, outcome, first));
          },
        ),
        { seed: SEED, numRuns: RUNS },
      );
      // The property must not pass by refusing everything: most requests are really compared.
      expect(checked / possible).toBeGreaterThan(0.6);
    },
    FUZZ ? 3_600_000 : undefined,
  );
});
