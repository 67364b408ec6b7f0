import { describe, expect, it } from 'vitest';
import { removedFields, replacementFor } from '../../src/istio/virtualservice-fields.ts';

describe('removedFields', () => {
  it('finds route-level, destination-level and fault.abort.percent fields, in document order', () => {
    const scan = removedFields({
      http: [
        { websocketUpgrade: true, appendHeaders: { a: 'b' }, route: [{ destination: { host: 'a' } }] },
        {
          fault: { abort: { percent: 50, httpStatus: 503 }, delay: { percent: 10, fixedDelay: '1s' } },
          route: [
            { destination: { host: 'a' }, appendRequestHeaders: { c: 'd' }, removeResponseHeaders: ['e'] },
          ],
        },
      ],
    });
    expect(scan).toEqual({
      paths: [
        'spec.http[0].websocketUpgrade',
        'spec.http[0].appendHeaders',
        'spec.http[1].fault.abort.percent',
        'spec.http[1].route[0].appendRequestHeaders',
        'spec.http[1].route[0].removeResponseHeaders',
      ],
      malformed: [],
    });
  });

  it('does not report appendHeaders on a destination (it never existed there) nor delay.percent', () => {
    expect(
      removedFields({ http: [{ route: [{ appendHeaders: { a: 'b' } }], fault: { delay: { percent: 1 } } }] })
        .paths,
    ).toEqual([]);
  });

  it('accepts a missing spec or http', () => {
    expect(removedFields(undefined)).toEqual({ paths: [], malformed: [] });
    expect(removedFields({ hosts: ['a'] })).toEqual({ paths: [], malformed: [] });
  });

  it.each([
    ['a string spec', 'oops', 'spec is not an object'],
    ['http as an object', { http: { appendHeaders: {} } }, 'spec.http is not a list'],
    ['an http entry that is a string', { http: ['x'] }, 'spec.http[0] is not an object'],
    ['route as an object', { http: [{ route: { destination: {} } }] }, 'spec.http[0].route is not a list'],
  ])('says what it cannot read: %s', (_what, spec, problem) => {
    expect(removedFields(spec).malformed).toEqual([problem]);
  });
});

describe('replacementFor', () => {
  it.each([
    ['spec.http[0].appendHeaders', 'headers.request.add'],
    ['spec.http[0].route[1].appendResponseHeaders', 'headers.response.add'],
    ['spec.http[2].removeRequestHeaders', 'headers.request.remove'],
    ['spec.http[0].fault.abort.percent', 'abort.percentage.value'],
  ])('%s -> %s', (path, replacement) => {
    expect(replacementFor(path)).toBe(replacement);
  });

  it('tells to delete websocketUpgrade', () => {
    expect(replacementFor('spec.http[0].websocketUpgrade')).toMatch(/^nothing: delete it/);
  });
});
