/**
 * The loader's invariant as properties (issue #25): for generated kubectl-like Lists, written as
 * kubectl and JSON.stringify write them, the scan's objects are JSON.parse's, on the sequential
 * path and on the worker path (forced whatever the size, in runs of a few hundred bytes); and for
 * the same files broken (or merely changed) in the ways files break, the load is an input error
 * naming the file and a line exactly when the oracle (JSON.parse, then the same checks) throws,
 * and otherwise gives the oracle's objects.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ParallelListLoader } from '../../src/snapshot/parallel.ts';
import { loadedOutcome, type Outcome, oracleOutcome, PATHS, withoutLines } from '../helpers/json-oracle.ts';
import { kubectlList, layout, mutated, mutation, written } from '../helpers/kubectl-lists.ts';

/** One worker pool for every load of this file: the worker path without a thread start per case. */
let loader: ParallelListLoader;
beforeAll(() => {
  loader = new ParallelListLoader(PATHS.worker);
});
afterAll(async () => {
  await loader.close();
});

async function expectSameAsOracle(name: string, text: string): Promise<void> {
  const expected = oracleOutcome('oracle.json', text);
  for (const [path, options] of Object.entries(PATHS)) {
    const { outcome, file, error } = await loadedOutcome(
      `${name}-${path}`,
      text,
      options,
      path === 'worker' ? loader : undefined,
    );
    const oracle = oracleOutcome(file, text);
    if ('error' in oracle) {
      expect(error, `${path}: an input error, as JSON.parse or the checks throw`).toBeDefined();
      expect(error?.file).toBe(file);
      expect(error?.line, `${path}: ${error?.message}`).toBeGreaterThanOrEqual(1);
      continue;
    }
    expect(error?.message, path).toBeUndefined();
    const { linesKnown: _, ...oracleObjects } = oracle;
    const compare = (o: Outcome) => (expected.linesKnown ? o : withoutLines(o));
    expect(compare(outcome), path).toEqual(compare(oracleObjects));
  }
}

describe('the JSON loader against JSON.parse', () => {
  it('gives JSON.parse objects for kubectl-like Lists in every layout, on both paths', async () => {
    await fc.assert(
      fc.asyncProperty(kubectlList, layout, async (list, how) => {
        const text = written(list, how);
        await expectSameAsOracle('generated', text);
      }),
      { numRuns: 150 },
    );
  }, 240_000);

  it('is an input error exactly when JSON.parse (or a check) throws on a mutated List, else the same objects', async () => {
    await fc.assert(
      fc.asyncProperty(kubectlList, layout, mutation, async (list, how, change) => {
        const text = mutated(written(list, how), change);
        await expectSameAsOracle('mutated', text);
      }),
      { numRuns: 300 },
    );
  }, 480_000);
});
