import rule from '../../rules/v1alpha1-security-policy.ts';
import { namespace } from '../helpers/objects.ts';
import { ruleTester } from '../helpers/rule-tester.ts';

const serviceRole = {
  apiVersion: 'rbac.istio.io/v1alpha1',
  kind: 'ServiceRole',
  metadata: { name: 'reader', namespace: 'payments' },
  spec: { rules: [{ services: ['*'], methods: ['GET'] }] },
};

ruleTester(rule, {
  pass: [
    {
      name: 'Istio installed, no v1alpha1 policy',
      documents: [namespace('istio-system'), namespace('shop')],
    },
    { name: 'only v1beta1 policies (fixture)', fixtures: ['pass-migrated.yaml'] },
    {
      name: 'a v1beta1 object of the same group name is not v1alpha1',
      documents: [
        namespace('istio-system'),
        { apiVersion: 'rbac.istio.io/v1beta1', kind: 'ServiceRole', metadata: { name: 'x', namespace: 'a' } },
      ],
    },
  ],
  fail: [
    {
      name: 'one finding per object, every v1alpha1 kind (fixture)',
      fixtures: ['fail-policies.yaml'],
      findings: [
        {
          message: /^ClusterRbacConfig default .* migrate it to AuthorizationPolicy/,
          resource: { kind: 'ClusterRbacConfig' },
        },
        { message: /^MeshPolicy default .*mesh-wide PeerAuthentication/, severity: 'error' },
        {
          message: /^Policy auth\/jwt-auth/,
          resource: { kind: 'Policy', namespace: 'auth', name: 'jwt-auth' },
          fix: {
            action: 'migrate-v1alpha1-policy',
            params: { resource: 'policies.authentication.istio.io', namespace: 'auth' },
          },
        },
      ],
    },
    {
      name: 'a ServiceRole even without istio-system in the snapshot',
      documents: [serviceRole],
      findings: [{ message: 'ServiceRole payments/reader', fix: { action: 'migrate-v1alpha1-policy' } }],
    },
  ],
  notApplicable: [
    {
      name: 'Istio is not installed',
      documents: [namespace('default'), namespace('shop')],
      reason: 'Istio is not installed',
    },
  ],
  unknown: [
    {
      name: 'the security policies were not collected (forbidden)',
      documents: [namespace('istio-system')],
      notCollected: { securitypolicies: 'forbidden: list rbac.istio.io serviceroles' },
      reason: 'v1alpha1 security policies not collected: forbidden',
    },
    { name: 'no Kubernetes objects at all', documents: [], reason: 'no Kubernetes objects in the snapshot' },
  ],
});
