/**
 * The differential check: for each request, the converted v1beta1 objects must allow it exactly
 * when Istio 1.4 allowed it under the v1alpha1 objects, unless meshready refused one of the
 * objects that decided the request in 1.4 (then it said so, with a reason, and exited 1).
 * One documented exception (docs/convert.md): a request whose token 1.6's JWT filter rejects,
 * where 1.4 did not check it (originIsOptional, trigger rules), and meshready warned about it.
 */
import { stringify } from 'yaml';
import { decide14, governing14 } from './istio14.ts';
import { explain16, type Stage16 } from './istio16.ts';
import type { Decision, KubeDoc, Request, World } from './world.ts';

export interface SourceKey {
  readonly kind: string;
  readonly namespace?: string | undefined;
  readonly name: string;
}

/** What `meshready convert` produced for a world: the objects (parsed back from its YAML), refusals, warnings. */
export interface ConvertOutcome {
  readonly yaml: string;
  readonly objects: readonly KubeDoc[];
  readonly refused: readonly (SourceKey & { readonly reason: string })[];
  readonly warned: readonly SourceKey[];
}

export interface Mismatch {
  readonly request: Request;
  readonly istio14: Decision;
  readonly istio16: Decision;
  readonly stage: Stage16;
}

export interface Comparison {
  readonly mismatches: readonly Mismatch[];
  /** Requests compared (not exempt, possible in 1.4). */
  readonly checked: number;
  /** Requests decided in 1.4 by an object meshready refused. */
  readonly exempt: number;
  /** Requests 1.4 could not carry (mTLS to a port without TLS). */
  readonly impossible: number;
}

const keyOf = (s: SourceKey) => `${s.kind}/${s.namespace ?? ''}/${s.name}`;
const docKey = (d: KubeDoc) =>
  keyOf({ kind: d.kind, namespace: d.metadata.namespace, name: d.metadata.name });

export function compare(world: World, requests: readonly Request[], outcome: ConvertOutcome): Comparison {
  const refused = new Set(outcome.refused.map(keyOf));
  const warned = new Set(outcome.warned.map(keyOf));
  const mismatches: Mismatch[] = [];
  let checked = 0;
  let exempt = 0;
  let impossible = 0;
  for (const request of requests) {
    const istio14 = decide14(world, request);
    if (istio14 === 'impossible') {
      impossible++;
      continue;
    }
    const deciders = governing14(world, request);
    if (deciders.some((d) => refused.has(docKey(d)))) {
      exempt++;
      continue;
    }
    checked++;
    const { decision: istio16, stage } = explain16(world, outcome.objects, request);
    if (istio16 === istio14) continue;
    const authn = deciders.find((d) => d.kind === 'Policy' || d.kind === 'MeshPolicy');
    const badTokenWarned =
      istio14 === 'allow' && stage === 'jwt' && authn !== undefined && warned.has(docKey(authn));
    if (badTokenWarned) continue;
    mismatches.push({ request, istio14, istio16, stage });
  }
  return { mismatches, checked, exempt, impossible };
}

/** A counterexample a person can read: the objects, the request, both answers, the output. */
export function describeMismatch(world: World, outcome: ConvertOutcome, mismatch: Mismatch): string {
  const { request } = mismatch;
  const verdict =
    mismatch.istio14 === 'allow'
      ? 'NARROWER: 1.4 allowed, the converted policies deny'
      : 'WIDER: 1.4 denied, the converted policies allow';
  return [
    `${verdict} (decided by 1.6's ${mismatch.stage})`,
    `request: ${JSON.stringify(request)}`,
    '--- v1alpha1 objects',
    world.policies.map((p) => stringify(p, { lineWidth: 0 })).join('---\n'),
    '--- refused',
    ...outcome.refused.map((r) => `${keyOf(r)}: ${r.reason}`),
    '--- converted',
    outcome.yaml,
  ].join('\n');
}
