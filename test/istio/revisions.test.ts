import { describe, expect, it } from 'vitest';
import {
  compareRevisionNames,
  type IstiodRevision,
  isAsmRevision,
  preferredRevision,
} from '../../src/istio/revisions.ts';

const revision = (name: string, ready = true): IstiodRevision => ({
  revision: name,
  ready,
  version: undefined,
});

describe('isAsmRevision', () => {
  it('holds for the asm-* names install_asm gives, not for the operator istio-* ones', () => {
    expect(isAsmRevision('asm-173-6')).toBe(true);
    expect(isAsmRevision('istio-1611')).toBe(false);
    expect(isAsmRevision('default')).toBe(false);
  });
});

describe('compareRevisionNames', () => {
  it('orders numeric parts as numbers: istio-1611 after istio-163', () => {
    expect(['istio-1611', 'istio-163', 'istio-164'].sort(compareRevisionNames)).toEqual([
      'istio-163',
      'istio-164',
      'istio-1611',
    ]);
  });
});

describe('preferredRevision', () => {
  const both = [revision('istio-163'), revision('istio-1611'), revision('asm-173-6')];

  it('is the ready asm-* revision for an ASM target, the newest istio-* one otherwise', () => {
    expect(preferredRevision(both, true)).toBe('asm-173-6');
    expect(preferredRevision(both, false)).toBe('istio-1611');
  });

  it('is the operator revision for an ASM target while no asm-* revision is ready', () => {
    expect(preferredRevision([revision('istio-1611'), revision('asm-173-6', false)], true)).toBe(
      'istio-1611',
    );
  });

  it('is a ready asm-* revision for an Istio target when it is the only one ready', () => {
    expect(preferredRevision([revision('istio-1611', false), revision('asm-173-6')], false)).toBe(
      'asm-173-6',
    );
  });

  it('is undefined when no revision is ready, or none is known', () => {
    expect(preferredRevision([revision('istio-1611', false)], false)).toBeUndefined();
    expect(preferredRevision([], true)).toBeUndefined();
  });
});
