import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { KUBE_KINDS, type KubeKind } from '../../src/snapshot/model.ts';
import {
  acceptsRawObject,
  rawObjectProblem,
  rawObjectSchema,
  rawObjectType,
} from '../../src/snapshot/raw-schema.ts';
import {
  declaredPaths,
  HOSTILE_VALUES,
  mutatedValue,
  validValue,
  withValueAt,
} from '../helpers/raw-objects.ts';

/** The predicate's verdict and zod's, and zod's first issue when it refuses. */
function verdicts(kind: KubeKind, raw: unknown) {
  const parsed = rawObjectSchema(kind).safeParse(raw);
  return { predicate: acceptsRawObject(kind, raw), zod: parsed.success };
}

function show(value: unknown): string {
  try {
    return fc.stringify(value).slice(0, 300);
  } catch {
    return String(value);
  }
}

const BASE = { apiVersion: 'v1', kind: 'Thing', metadata: { name: 'a', namespace: 'b' } };

describe('the raw-object predicate and the zod schema built from one declaration', () => {
  it('declares paths for every kind the rules read beyond metadata', () => {
    const paths = (kind: KubeKind) => declaredPaths(rawObjectType(kind)).map((path) => path.join('.'));
    expect(paths('services')).toContain('spec.ports.0.port');
    expect(paths('istiooperators')).toContain('spec.components.ingressGateways.0.enabled');
    expect(paths('namespaces')).toContain('metadata.ownerReferences.0.controller');
  });

  it('agrees with zod on every declared path of every kind set to each hostile value', () => {
    let refused = 0;
    let accepted = 0;
    for (const kind of KUBE_KINDS) {
      const paths = declaredPaths(rawObjectType(kind));
      for (const path of [[], ...paths]) {
        for (const value of HOSTILE_VALUES) {
          const raw = withValueAt(BASE, path, value);
          const { predicate, zod } = verdicts(kind, raw);
          if (predicate !== zod) {
            expect.fail(`${kind} ${path.join('.')} = ${show(value)}: predicate ${predicate}, zod ${zod}`);
          }
          if (predicate) accepted++;
          else refused++;
        }
      }
    }
    // Both verdicts are exercised, many times: the comparison is not one-sided.
    expect(refused).toBeGreaterThan(5_000);
    expect(accepted).toBeGreaterThan(2_000);
  });

  it('agrees with zod on generated valid objects of every kind (and they are valid)', () => {
    for (const kind of KUBE_KINDS) {
      fc.assert(
        fc.property(validValue(rawObjectType(kind)), (raw) => {
          const { predicate, zod } = verdicts(kind, raw);
          return predicate && zod;
        }),
        { numRuns: 200 },
      );
    }
  });

  it('agrees with zod on generated objects with one declared field mutated', () => {
    const counts = { accepted: 0, refused: 0 };
    for (const kind of KUBE_KINDS) {
      fc.assert(
        fc.property(mutatedValue(rawObjectType(kind)), (raw) => {
          const { predicate, zod } = verdicts(kind, raw);
          counts[predicate ? 'accepted' : 'refused']++;
          return predicate === zod;
        }),
        { numRuns: 400 },
      );
    }
    expect(counts.refused).toBeGreaterThan(1_500);
    expect(counts.accepted).toBeGreaterThan(300);
  });

  it('agrees with zod on anything at all, and on JSON that went through a text round trip', () => {
    for (const kind of ['pods', 'services', 'istiooperators'] as const) {
      fc.assert(
        fc.property(
          fc.anything({ withNullPrototype: true, withSparseArray: true, withBoxedValues: true }),
          (raw) => {
            const { predicate, zod } = verdicts(kind, raw);
            return predicate === zod;
          },
        ),
        { numRuns: 300 },
      );
      fc.assert(
        fc.property(mutatedValue(rawObjectType(kind)), (raw) => {
          let text: string | undefined;
          try {
            text = JSON.stringify(raw);
          } catch {
            return true; // BigInt: not JSON.
          }
          const parsed = text === undefined ? undefined : JSON.parse(text);
          const { predicate, zod } = verdicts(kind, parsed);
          return predicate === zod;
        }),
        { numRuns: 300 },
      );
    }
  });

  it('words a problem for every object the predicate refuses', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KUBE_KINDS), fc.constantFrom(...HOSTILE_VALUES), (kind, value) => {
        const paths = declaredPaths(rawObjectType(kind));
        for (const path of paths) {
          const raw = withValueAt(BASE, path, value);
          const problem = rawObjectProblem(kind, raw);
          if (acceptsRawObject(kind, raw) !== (problem === undefined)) return false;
        }
        return true;
      }),
      { numRuns: 200 },
    );
  });
});
