/** The YAML `meshready convert` writes: schema-valid 1.6 objects, commented with their sources. */

import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { convertSnapshot, rootNamespaceOf } from '../../src/convert/index.ts';
import { v1beta1ObjectSchema } from '../../src/convert/v1beta1.ts';
import { renderPoliciesYaml } from '../../src/convert/yaml.ts';
import { loadSnapshot, snapshotFromDocuments } from '../../src/snapshot/load.ts';
import { convertText, documents, expectedSet, resultSet } from './convert-cases.ts';

describe('the v1beta1 YAML', () => {
  it("the demo addon-1.4 snapshot converts cleanly, each object preceded by the objects it came from (the JWT requirement off auth's TCP metrics port)", async () => {
    const snapshot = await loadSnapshot(['fixtures/demo/addon-1.4']);
    const result = convertSnapshot(snapshot, {
      rootNamespace: rootNamespaceOf(snapshot),
      allowNoClusterRbacConfig: false,
    });
    expect(result.problems).toEqual([]);
    expect(resultSet(result)).toEqual(
      expectedSet(`
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: a, namespace: payments }
spec: {}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: b, namespace: payments }
spec:
  selector: { matchLabels: { app: payments } }
  rules: [{ from: [{ source: { principals: [cluster.local/ns/shop/sa/cart] } }], to: [{ operation: { methods: [GET] } }] }]
---
apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: { name: c, namespace: istio-system }
spec: { mtls: { mode: PERMISSIVE } }
---
apiVersion: security.istio.io/v1beta1
kind: PeerAuthentication
metadata: { name: d, namespace: auth }
spec: { selector: { matchLabels: { app: auth } }, mtls: { mode: PERMISSIVE } }
---
apiVersion: security.istio.io/v1beta1
kind: RequestAuthentication
metadata: { name: e, namespace: auth }
spec:
  selector: { matchLabels: { app: auth } }
  jwtRules: [{ issuer: "https://accounts.google.com", jwksUri: "https://www.googleapis.com/oauth2/v3/certs", forwardOriginalToken: true }]
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: { name: f, namespace: auth }
spec:
  selector: { matchLabels: { app: auth } }
  action: DENY
  rules:
  - { from: [{ source: { notRequestPrincipals: ["*"] } }], to: [{ operation: { notMethods: [OPTIONS], notPorts: ["9090"] } }] }
  - { from: [{ source: { notRequestPrincipals: ["*"] } }], to: [{ operation: { notPorts: ["9090"] } }], when: [{ key: "request.headers[origin]", notValues: ["*"] }] }
  - { from: [{ source: { notRequestPrincipals: ["*"] } }], to: [{ operation: { notPorts: ["9090"] } }], when: [{ key: "request.headers[access-control-request-method]", notValues: ["*"] }] }
`),
    );
    const yaml = renderPoliciesYaml(result.objects);
    const parsed = parseAllDocuments(yaml);
    expect(parsed).toHaveLength(result.objects.length);
    for (const [i, doc] of parsed.entries()) {
      // Every object validates against the Istio 1.6 security schemas.
      expect(v1beta1ObjectSchema.safeParse(doc.toJS()).success).toBe(true);
      expect(doc.toJS()).toEqual(result.objects[i]?.object);
    }
    const chunks = yaml.split(/^---\n/m);
    expect(chunks).toHaveLength(result.objects.length + 1);
    for (const chunk of chunks.slice(1)) {
      expect(chunk).toMatch(/^# converted from (ClusterRbacConfig|ServiceRoleBinding|MeshPolicy|Policy) \S+/);
    }
    expect(yaml).toContain(
      '# converted from ServiceRoleBinding payments/payments-reader-binding (with ServiceRole payments/payments-reader)',
    );
  });

  it('the 1.6 schema rejects what 1.6 does not know (fields from later releases, unknown condition keys)', () => {
    const base = { apiVersion: 'security.istio.io/v1beta1', metadata: { name: 'n', namespace: 'ns' } };
    expect(
      v1beta1ObjectSchema.safeParse({ ...base, kind: 'AuthorizationPolicy', spec: { action: 'CUSTOM' } })
        .success,
    ).toBe(false);
    expect(
      v1beta1ObjectSchema.safeParse({
        ...base,
        kind: 'AuthorizationPolicy',
        spec: { rules: [{ when: [{ key: 'destination.user', values: ['x'] }] }] },
      }).success,
    ).toBe(false);
    expect(
      v1beta1ObjectSchema.safeParse({
        ...base,
        kind: 'PeerAuthentication',
        spec: { mtls: { mode: 'STRICT' }, extra: 1 },
      }).success,
    ).toBe(false);
    expect(
      v1beta1ObjectSchema.safeParse({
        ...base,
        kind: 'PeerAuthentication',
        spec: { mtls: { mode: 'STRICT' } },
      }).success,
    ).toBe(true);
  });

  it('mesh-wide objects go to the root namespace of the mesh config when the istio ConfigMap has one', () => {
    const snapshot = snapshotFromDocuments({
      documents: documents(`
apiVersion: v1
kind: ConfigMap
metadata: { name: istio, namespace: istio-system }
data:
  mesh: |-
    disablePolicyChecks: true
    rootNamespace: mesh-root
---
apiVersion: authentication.istio.io/v1alpha1
kind: MeshPolicy
metadata: { name: default }
spec: { peers: [{ mtls: { mode: STRICT } }] }
`),
    });
    expect(rootNamespaceOf(snapshot)).toBe('mesh-root');
    const result = convertSnapshot(snapshot, {
      rootNamespace: rootNamespaceOf(snapshot),
      allowNoClusterRbacConfig: false,
    });
    expect(result.objects.map((o) => o.object.metadata.namespace)).toEqual(['mesh-root']);
    expect(rootNamespaceOf(snapshotFromDocuments({ documents: [] }))).toBe('istio-system');
  });

  it('names stay unique per kind and namespace when two sources would give the same name', () => {
    const result = convertText(`
apiVersion: authentication.istio.io/v1alpha1
kind: Policy
metadata: { name: default, namespace: a }
spec: { origins: [{ jwt: { issuer: i, jwksUri: "https://i/keys" } }] }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: a }
spec: { selector: { app: web }, ports: [{ port: 80 }] }
---
apiVersion: rbac.istio.io/v1alpha1
kind: ClusterRbacConfig
metadata: { name: default }
spec: { mode: "ON" }
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata: { name: r, namespace: a }
spec: { rules: [{ services: [web.a.svc.cluster.local] }] }
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRoleBinding
metadata: { name: default, namespace: a }
spec: { roleRef: { kind: ServiceRole, name: r }, subjects: [{ user: u }] }
`);
    const names = result.objects
      .filter((o) => o.object.kind === 'AuthorizationPolicy' && o.object.metadata.namespace === 'a')
      .map((o) => o.object.metadata.name);
    expect(names.sort()).toEqual(['default', 'default-2']);
  });
});
