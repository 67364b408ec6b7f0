/**
 * Path globs of --exclude-path / excludePaths: the cases users write, and generated globs and
 * paths checked against Node's own glob matcher (path.matchesGlob) as the oracle.
 */
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pathGlobMatcher, pathGlobsMatcher } from '../../src/config/path-glob.ts';

describe('path globs', () => {
  it.each([
    ['src/mongodb/ratings_data.json', 'src/mongodb/ratings_data.json', true],
    ['src/mongodb/*.json', 'src/mongodb/ratings_data.json', true],
    ['src/mongodb/*.json', 'src/mongodb/deep/ratings_data.json', false],
    ['src/*/ratings_data.json', 'src/mongodb/ratings_data.json', true],
    ['src/**/ratings_data.json', 'src/a/b/c/ratings_data.json', true],
    ['src/**/ratings_data.json', 'src/ratings_data.json', true],
    ['**/testdata/**', 'x/testdata/y/z.yaml', true],
    ['**/testdata/**', 'testdata/z.yaml', true],
    ['**/testdata/**', 'x/testdatas/z.yaml', false],
    // Without a slash: the file name, at any depth.
    ['ratings_data.json', 'src/mongodb/ratings_data.json', true],
    ['*.bak.json', 'a/b/c.bak.json', true],
    ['*.bak.json', 'a/b.bak.json/c.json', false],
    ['?.json', 'a/b.json', true],
    ['?.json', 'a/bb.json', false],
    // A leading ./ and doubled slashes are ignored, and * never crosses a /.
    ['./src//*.json', 'src/x.json', true],
    ['src/*', 'src/a/b.json', false],
    ['', 'a.json', false],
  ])('%s matches %s: %s', (glob, file, expected) => {
    expect(pathGlobMatcher(glob)(file)).toBe(expected);
  });

  it('names the first glob that matches', () => {
    const matching = pathGlobsMatcher(['*.yaml', 'src/**']);
    expect(matching('src/a.json')).toBe('src/**');
    expect(matching('x.yaml')).toBe('*.yaml');
    expect(matching('x.json')).toBeUndefined();
    expect(pathGlobsMatcher([])('x.json')).toBeUndefined();
  });

  it('matches as path.matchesGlob does, for globs with a slash', () => {
    const name = fc.stringMatching(/^[ab]{1,3}$/);
    const globSegment = fc.oneof(
      fc.stringMatching(/^[ab*?]{1,3}$/).filter((s) => s !== '**'),
      fc.constant('**'),
    );
    fc.assert(
      fc.property(
        fc.array(globSegment, { minLength: 2, maxLength: 4 }).filter((parts) => parts.at(-1) !== '**'),
        fc.array(name, { minLength: 1, maxLength: 5 }),
        (parts, names) => {
          const glob = parts.join('/');
          const file = names.join('/');
          expect(pathGlobMatcher(glob)(file), `${glob} ~ ${file}`).toBe(path.matchesGlob(file, glob));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('takes time linear in the path for a glob that would make a regular expression backtrack', () => {
    const file = `${'a/'.repeat(2000)}b`;
    const glob = `${'**/a/'.repeat(20)}c`;
    const started = performance.now();
    expect(pathGlobMatcher(glob)(file)).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
