/**
 * The predicates remediate.sh decides again at run time, each one table of cases (./*.json) run
 * through the TypeScript function the scan uses and through the bash function of the script, in
 * real bash under the C and a UTF-8 locale (STYLE §15). A case either language answers otherwise
 * fails here with its input.
 */
import { describe, expect, it } from 'vitest';
import { isGkeVersionBelow } from '../../src/gke/version.ts';
import { proxyGeneration } from '../../src/istio/proxies.ts';
import { selectsRevision } from '../../src/istio/revisions.ts';
import { type BashCall, bashAnswers } from './bash.ts';
import { GKE_VERSION_ORDER, OLD_PROXY, REVISION_SELECTION } from './tables.ts';

const LOCALES = ['C', 'C.UTF-8'] as const;

/** Each case with the answer it expects, and each with the answer it got: equal when all agree. */
function answered<C extends { readonly answer: unknown }>(
  cases: readonly C[],
  answers: readonly unknown[],
): { expected: (C & { got: unknown })[]; got: (C & { got: unknown })[] } {
  return {
    expected: cases.map((c) => ({ ...c, got: c.answer })),
    got: cases.map((c, index) => ({ ...c, got: answers[index] })),
  };
}

describe(`${GKE_VERSION_ORDER.typescript} / ${GKE_VERSION_ORDER.bash}`, () => {
  const { cases, answers } = GKE_VERSION_ORDER;

  it('has cases for every answer', () => {
    for (const answer of answers) expect(cases.filter((c) => c.answer === answer).length).toBeGreaterThan(5);
  });

  it('TypeScript: isGkeVersionBelow gives every case its answer', () => {
    const got = cases.map((c) => {
      const below = isGkeVersionBelow(c.a, c.b);
      return below === undefined ? 'malformed' : below ? 'below' : 'not-below';
    });
    const { expected, got: actual } = answered(cases, got);
    expect(actual).toEqual(expected);
  });

  it.each(LOCALES)('bash: gke_version_below gives every case its answer (LC_ALL=%s)', (locale) => {
    const calls: BashCall[] = cases.map((c) => ({ argv: ['gke_version_below', c.a, c.b] }));
    const byStatus: Record<string, string> = { 0: 'below', 1: 'not-below', 2: 'malformed' };
    const got = bashAnswers(calls, '"$status"', locale).map((status) => byStatus[status] ?? `exit ${status}`);
    const { expected, got: actual } = answered(cases, got);
    expect(actual).toEqual(expected);
  });
});

describe(`${OLD_PROXY.typescript} / ${OLD_PROXY.bash}`, () => {
  const { cases, answers } = OLD_PROXY;

  it('has cases for every answer, with and without the label', () => {
    for (const answer of answers) {
      expect(
        cases.filter((c) => c.answer === answer && c.revisionLabel === undefined).length,
      ).toBeGreaterThan(0);
    }
    expect(cases.filter((c) => c.revisionLabel).map((c) => c.answer)).toEqual(
      expect.arrayContaining(['pre-1.6', '1.6+']),
    );
  });

  it('TypeScript: proxyGeneration gives every case its answer', () => {
    const { expected, got } = answered(
      cases,
      cases.map((c) => proxyGeneration(c.image, c.revisionLabel)),
    );
    expect(got).toEqual(expected);
  });

  it.each(LOCALES)('bash: proxy_generation gives every case its answer (LC_ALL=%s)', (locale) => {
    const calls = cases.map((c) => ({ argv: ['proxy_generation', c.image, c.revisionLabel ?? ''] }));
    const { expected, got } = answered(cases, bashAnswers(calls, '"$PROXY_GENERATION"', locale));
    expect(got).toEqual(expected);
  });
});

describe(`${REVISION_SELECTION.typescript} / ${REVISION_SELECTION.bash}`, () => {
  const { cases } = REVISION_SELECTION;

  it('has cases that select and cases that do not, for each label the injectors read', () => {
    for (const answer of [true, false])
      expect(cases.filter((c) => c.answer === answer).length).toBeGreaterThan(5);
    for (const value of ['enabled', 'disabled']) {
      expect(cases.some((c) => c.labels['istio-injection'] === value && c.labels['istio.io/rev'])).toBe(true);
    }
  });

  it('TypeScript: selectsRevision gives every case its answer', () => {
    const { expected, got } = answered(
      cases,
      cases.map((c) => selectsRevision(c.labels, c.pattern)),
    );
    expect(got).toEqual(expected);
  });

  it.each(LOCALES)('bash: selects_revision gives every case its answer (LC_ALL=%s)', (locale) => {
    // The label lines as LABELS_TEMPLATE prints them: key=value, one a line.
    const lines = (labels: Readonly<Record<string, string>>) =>
      Object.entries(labels)
        .map(([key, value]) => `${key}=${value}\n`)
        .join('');
    const calls = cases.map((c) => ({ argv: ['selects_revision', lines(c.labels), c.pattern] }));
    const got = bashAnswers(calls, '"$status"', locale).map((status) =>
      status === '0' ? true : status === '1' ? false : `exit ${status}`,
    );
    const { expected, got: actual } = answered(cases, got);
    expect(actual).toEqual(expected);
  });
});
