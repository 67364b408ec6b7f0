/** Terminal wrapping: generated text and tables stay within the width and lose nothing. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_COLUMNS, renderTable, wrapText, wrapWidthFor } from '../../src/text/wrap.ts';

const widest = (text: string) => Math.max(...text.split('\n').map((line) => line.length));
const withoutSpace = (text: string) => text.replace(/\s+/g, '');
const words = fc.array(fc.stringMatching(/^[a-z0-9./:-]{1,40}$/), { minLength: 1, maxLength: 30 });

describe('wrapText', () => {
  it('keeps every line within the width and every character in order', () => {
    fc.assert(
      fc.property(
        words,
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 10, max: 100 }),
        (list, lead, width) => {
          const text = `${' '.repeat(lead)}${list.join(' ')}`;
          const wrapped = wrapText(text, width);
          expect(widest(wrapped)).toBeLessThanOrEqual(width);
          expect(withoutSpace(wrapped)).toBe(withoutSpace(text));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('breaks between words, continues under the text, and leaves short lines and no width alone', () => {
    expect(wrapText('  error   a message that is long', 20, 8)).toBe(
      '  error   a message\n          that is\n          long',
    );
    expect(wrapText('Next: one two three four', 12)).toBe('Next: one\n  two three\n  four');
    expect(wrapText('short\n\nlines', 10)).toBe('short\n\nlines');
    const long = 'x '.repeat(200);
    expect(wrapText(long, undefined)).toBe(long);
  });

  it('breaks a word longer than a line after a hyphen or slash, and cuts it only when it must', () => {
    expect(wrapText('see ingress-gateway-upgrade-disruption now', 20)).toBe(
      'see\n  ingress-gateway-\n  upgrade-disruption\n  now',
    );
    expect(wrapText('aaaaaaaaaaaaaaaaaaaaaaaaa', 10, 0)).toBe('aaaaaaaaaa\naaaaaaaaaa\naaaaa');
  });
});

describe('wrapWidthFor', () => {
  it('is the terminal width, at most 100 columns; none when not a terminal', () => {
    expect(wrapWidthFor(undefined)).toBeUndefined();
    expect(wrapWidthFor(0)).toBeUndefined();
    expect(wrapWidthFor(80)).toBe(80);
    expect(wrapWidthFor(300)).toBe(MAX_COLUMNS);
    expect(wrapWidthFor(10)).toBe(30);
  });
});

describe('renderTable', () => {
  const header = ['ID', 'PHASE', 'TITLE'];
  const rows = [
    [
      'ingress-gateway-upgrade-disruption',
      'cluster-upgrade',
      'The add-on ingress gateway survives the upgrade to 1.17',
    ],
    ['service-port-naming', 'prepare', 'Service ports declare their protocol'],
  ];

  it('pads columns as kubectl get does when not wrapped', () => {
    expect(renderTable(header, rows).split('\n')[2]).toBe(
      'service-port-naming                 prepare          Service ports declare their protocol',
    );
  });

  it('fits the width, wrapping the last column first and keeping ids whole while it can', () => {
    const table = renderTable(header, rows, 80);
    expect(widest(table)).toBeLessThanOrEqual(80);
    expect(table).toContain('ingress-gateway-upgrade-disruption');
    expect(table.split('\n')[1]).toMatch(
      /^ingress-gateway-upgrade-disruption {2}cluster-upgrade {2}The add-on/,
    );
  });

  it('stays within any width from 30 columns', () => {
    fc.assert(
      fc.property(fc.integer({ min: 30, max: 120 }), (width) => {
        expect(widest(renderTable(header, rows, width))).toBeLessThanOrEqual(width);
      }),
    );
  });
});
