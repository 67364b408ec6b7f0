/**
 * Golden table 1: Istio 1.5.9's `istioctl x authz convert` (istioctl/cmd/authz_test.go
 * TestAuthZConvert, istioctl/cmd/testdata/authz/converter/*.yaml, Apache License 2.0, Istio
 * Authors; transcribed in flow style). Each case is checked by meaning (golden-cases.ts): meshready
 * decides every sampled request as Istio 1.4 did; where the golden does not, `differs` names the
 * entry of docs/convert.md that explains it.
 */
import { describe, it } from 'vitest';
import { checkGolden, type GoldenCase } from './golden-cases.ts';

const CASES: readonly GoldenCase[] = [
  {
    name: 'simple',
    input: `
apiVersion: v1
kind: Service
metadata: {name: productpage, namespace: default}
spec: {selector: {app: productpage, version: v1}}
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: default}
spec: {selector: {app: reviews, version: v1}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ClusterRbacConfig
metadata: {name: default}
spec: {mode: ON_WITH_INCLUSION, inclusion: {namespaces: [default]}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata: {name: role, namespace: default}
spec: {rules: [{services: [productpage.default.svc.cluster.local], methods: [GET, POST], paths: [/a, /b], constraints: [{key: destination.port, values: ["80", "90"]}, {key: "destination.labels[env]", values: [staging]}, {key: "experimental.envoy.filters.network.mysql_proxy[db.table]", values: [add, delete]}, {key: "request.headers[x-id]", values: [id-1, id-2]}, {key: "request.headers[x-lang]", values: [en, jp]}]}]}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRoleBinding
metadata: {name: binding, namespace: default}
spec: {subjects: [{user: user, group: group, properties: {source.ip: 10.0.0.0/8, source.namespace: source.namespace, source.principal: source.principal, "request.headers[User-Agent]": "request.headers[User-Agent]", request.auth.principal: request.auth.principal, request.auth.audiences: request.auth.audiences, request.auth.presenter: request.auth.presenter, "request.auth.claims[issuer]": "request.auth.claims[issuer]", "request.auth.claims[subject]": "request.auth.claims[subject]"}}], roleRef: {kind: ServiceRole, name: role}}
`,
    golden: `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-namespace-deny-all, namespace: default}
spec: {}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-role-rule0-svc0-target0, namespace: default}
spec: {rules: [{from: [{source: {ipBlocks: [10.0.0.0/8], namespaces: [source.namespace], principals: [user, source.principal], requestPrincipals: [request.auth.principal]}}], to: [{operation: {methods: [GET, POST], paths: [/a, /b], ports: ["80", "90"]}}], when: [{key: "experimental.envoy.filters.network.mysql_proxy[db.table]", values: [add, delete]}, {key: request.auth.audiences, values: [request.auth.audiences]}, {key: "request.auth.claims[group]", values: [group]}, {key: "request.auth.claims[issuer]", values: ["request.auth.claims[issuer]"]}, {key: "request.auth.claims[subject]", values: ["request.auth.claims[subject]"]}, {key: request.auth.presenter, values: [request.auth.presenter]}, {key: "request.headers[User-Agent]", values: ["request.headers[User-Agent]"]}, {key: "request.headers[x-id]", values: [id-1, id-2]}, {key: "request.headers[x-lang]", values: [en, jp]}, {key: source.principal, values: [source.principal]}]}], selector: {matchLabels: {app: productpage, env: staging, version: v1}}}
`,
  },
  {
    name: 'wildcard',
    input: `
apiVersion: v1
kind: Service
metadata: {name: productpage, namespace: default}
spec: {selector: {app: productpage, version: v1}}
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: default}
spec: {selector: {app: reviews, version: v1}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ClusterRbacConfig
metadata: {name: default}
spec: {mode: ON_WITH_INCLUSION, inclusion: {namespaces: [default]}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata: {name: role, namespace: default}
spec: {rules: [{services: [productpage.default.svc.cluster.local], methods: ["*"], paths: ["*"], constraints: [{key: "experimental.envoy.filters.network.mysql_proxy[db.table]", values: ["*"]}, {key: "request.headers[x-id]", values: ["*"]}, {key: "request.headers[x-lang]", values: ["*"]}]}]}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRoleBinding
metadata: {name: binding, namespace: default}
spec: {subjects: [{user: "*", group: "*", properties: {source.namespace: "*", source.principal: "*", "request.headers[User-Agent]": "*", request.auth.principal: "*", request.auth.audiences: "*", request.auth.presenter: "*", "request.auth.claims[issuer]": "*", "request.auth.claims[subject]": "*"}}], roleRef: {kind: ServiceRole, name: role}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata: {name: role-2, namespace: default}
spec: {rules: [{services: ["*"]}]}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRoleBinding
metadata: {name: binding-2, namespace: default}
spec: {subjects: [{user: "*"}], roleRef: {kind: ServiceRole, name: role-2}}
`,
    golden: `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-namespace-deny-all, namespace: default}
spec: {}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-role-rule0-svc0-target0, namespace: default}
spec: {rules: [{from: [{source: {principals: ["*"]}}]}], selector: {matchLabels: {app: productpage, version: v1}}}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-role-2-rule0-svc0-target0, namespace: default}
spec: {rules: [{}]}
`,
  },
  {
    name: 'multiple-rules',
    input: `
apiVersion: v1
kind: Service
metadata: {name: productpage, namespace: default}
spec: {selector: {app: productpage, version: v1}}
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: default}
spec: {selector: {app: reviews, version: v1}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ClusterRbacConfig
metadata: {name: default}
spec: {mode: ON_WITH_INCLUSION, inclusion: {namespaces: [default]}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata: {name: productpage, namespace: default}
spec: {rules: [{services: [productpage.default.svc.cluster.local], methods: [GET], paths: [/one], constraints: [{key: "request.headers[x-id]", values: [id-1]}]}, {services: [productpage.default.svc.cluster.local], methods: [POST], paths: [/two], constraints: [{key: "request.headers[x-lang]", values: [en]}]}, {services: [reviews.default.svc.cluster.local], methods: [PUT], paths: [/three], constraints: [{key: "request.headers[x-lang]", values: [jp]}]}]}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRoleBinding
metadata: {name: binding, namespace: default}
spec: {subjects: [{user: user, properties: {"request.headers[env]": prod}}], roleRef: {kind: ServiceRole, name: productpage}}
`,
    golden: `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-namespace-deny-all, namespace: default}
spec: {}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-productpage-rule0-svc0-target0, namespace: default}
spec: {rules: [{from: [{source: {principals: [user]}}], to: [{operation: {methods: [GET], paths: [/one]}}], when: [{key: "request.headers[env]", values: [prod]}, {key: "request.headers[x-id]", values: [id-1]}]}], selector: {matchLabels: {app: productpage, version: v1}}}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-productpage-rule1-svc0-target0, namespace: default}
spec: {rules: [{from: [{source: {principals: [user]}}], to: [{operation: {methods: [POST], paths: [/two]}}], when: [{key: "request.headers[env]", values: [prod]}, {key: "request.headers[x-lang]", values: [en]}]}], selector: {matchLabels: {app: productpage, version: v1}}}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-productpage-rule2-svc0-target0, namespace: default}
spec: {rules: [{from: [{source: {principals: [user]}}], to: [{operation: {methods: [PUT], paths: [/three]}}], when: [{key: "request.headers[env]", values: [prod]}, {key: "request.headers[x-lang]", values: [jp]}]}], selector: {matchLabels: {app: reviews, version: v1}}}
`,
    differs: 'Paths and query strings',
  },
  {
    name: 'multiple-roles',
    input: `
apiVersion: v1
kind: Service
metadata: {name: productpage, namespace: default}
spec: {selector: {app: productpage, version: v1}}
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: default}
spec: {selector: {app: reviews, version: v1}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ClusterRbacConfig
metadata: {name: default}
spec: {mode: ON_WITH_INCLUSION, inclusion: {namespaces: [default]}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata: {name: role-1, namespace: default}
spec: {rules: [{services: [productpage.default.svc.cluster.local], methods: [GET]}]}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata: {name: role-2, namespace: default}
spec: {rules: [{services: [productpage.default.svc.cluster.local], methods: [POST]}]}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRoleBinding
metadata: {name: binding-1, namespace: default}
spec: {subjects: [{user: user-1}], roleRef: {kind: ServiceRole, name: role-1}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRoleBinding
metadata: {name: binding-2, namespace: default}
spec: {subjects: [{user: user-2}], roleRef: {kind: ServiceRole, name: role-1}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRoleBinding
metadata: {name: binding-3, namespace: default}
spec: {subjects: [{user: user-1}], roleRef: {kind: ServiceRole, name: role-2}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRoleBinding
metadata: {name: binding-4, namespace: default}
spec: {subjects: [{user: user-2}], roleRef: {kind: ServiceRole, name: role-2}}
`,
    golden: `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-namespace-deny-all, namespace: default}
spec: {}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-role-1-rule0-svc0-target0, namespace: default}
spec: {rules: [{from: [{source: {principals: [user-1]}}], to: [{operation: {methods: [GET]}}]}, {from: [{source: {principals: [user-2]}}], to: [{operation: {methods: [GET]}}]}], selector: {matchLabels: {app: productpage, version: v1}}}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-role-2-rule0-svc0-target0, namespace: default}
spec: {rules: [{from: [{source: {principals: [user-1]}}], to: [{operation: {methods: [POST]}}]}, {from: [{source: {principals: [user-2]}}], to: [{operation: {methods: [POST]}}]}], selector: {matchLabels: {app: productpage, version: v1}}}
`,
  },
  {
    name: 'multiple-bindings',
    input: `
apiVersion: v1
kind: Service
metadata: {name: productpage, namespace: default}
spec: {selector: {app: productpage, version: v1}}
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: default}
spec: {selector: {app: reviews, version: v1}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ClusterRbacConfig
metadata: {name: default}
spec: {mode: ON_WITH_INCLUSION, inclusion: {namespaces: [default]}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata: {name: role, namespace: default}
spec: {rules: [{services: [productpage.default.svc.cluster.local], methods: [GET]}]}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRoleBinding
metadata: {name: binding-1, namespace: default}
spec: {subjects: [{user: user-1, group: group-1, properties: {source.ip: 10.0.0.1, source.namespace: source.namespace-1, source.principal: source.principal-1, "request.headers[User-Agent]": "request.headers[User-Agent]-1", request.auth.principal: request.auth.principal-1, request.auth.audiences: request.auth.audiences-1, request.auth.presenter: request.auth.presenter-1, "request.auth.claims[issuer]": "request.auth.claims[issuer]-1", "request.auth.claims[subject]": "request.auth.claims[subject]-1"}}], roleRef: {kind: ServiceRole, name: role}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRoleBinding
metadata: {name: binding-2, namespace: default}
spec: {subjects: [{user: user-2, group: group-2, properties: {source.ip: 10.0.0.2, source.namespace: source.namespace-2, source.principal: source.principal-2, "request.headers[User-Agent]": "request.headers[User-Agent]-2", request.auth.principal: request.auth.principal-2, request.auth.audiences: request.auth.audiences-2, request.auth.presenter: request.auth.presenter-2, "request.auth.claims[issuer]": "request.auth.claims[issuer]-2", "request.auth.claims[subject]": "request.auth.claims[subject]-2"}}], roleRef: {kind: ServiceRole, name: role}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRoleBinding
metadata: {name: binding-3, namespace: default}
spec: {subjects: [{user: user-3, group: group-3, properties: {source.ip: 10.0.0.3, source.namespace: source.namespace-3, source.principal: source.principal-3, "request.headers[User-Agent]": "request.headers[User-Agent]-3", request.auth.principal: request.auth.principal-3, request.auth.audiences: request.auth.audiences-3, request.auth.presenter: request.auth.presenter-3, "request.auth.claims[issuer]": "request.auth.claims[issuer]-3", "request.auth.claims[subject]": "request.auth.claims[subject]-3"}}], roleRef: {kind: ServiceRole, name: role}}
`,
    golden: `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-namespace-deny-all, namespace: default}
spec: {}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-role-rule0-svc0-target0, namespace: default}
spec: {rules: [{from: [{source: {ipBlocks: [10.0.0.1], namespaces: [source.namespace-1], principals: [user-1, source.principal-1], requestPrincipals: [request.auth.principal-1]}}], to: [{operation: {methods: [GET]}}], when: [{key: request.auth.audiences, values: [request.auth.audiences-1]}, {key: "request.auth.claims[group]", values: [group-1]}, {key: "request.auth.claims[issuer]", values: ["request.auth.claims[issuer]-1"]}, {key: "request.auth.claims[subject]", values: ["request.auth.claims[subject]-1"]}, {key: request.auth.presenter, values: [request.auth.presenter-1]}, {key: "request.headers[User-Agent]", values: ["request.headers[User-Agent]-1"]}, {key: source.principal, values: [source.principal-1]}]}, {from: [{source: {ipBlocks: [10.0.0.2], namespaces: [source.namespace-2], principals: [user-2, source.principal-2], requestPrincipals: [request.auth.principal-2]}}], to: [{operation: {methods: [GET]}}], when: [{key: request.auth.audiences, values: [request.auth.audiences-2]}, {key: "request.auth.claims[group]", values: [group-2]}, {key: "request.auth.claims[issuer]", values: ["request.auth.claims[issuer]-2"]}, {key: "request.auth.claims[subject]", values: ["request.auth.claims[subject]-2"]}, {key: request.auth.presenter, values: [request.auth.presenter-2]}, {key: "request.headers[User-Agent]", values: ["request.headers[User-Agent]-2"]}, {key: source.principal, values: [source.principal-2]}]}, {from: [{source: {ipBlocks: [10.0.0.3], namespaces: [source.namespace-3], principals: [user-3, source.principal-3], requestPrincipals: [request.auth.principal-3]}}], to: [{operation: {methods: [GET]}}], when: [{key: request.auth.audiences, values: [request.auth.audiences-3]}, {key: "request.auth.claims[group]", values: [group-3]}, {key: "request.auth.claims[issuer]", values: ["request.auth.claims[issuer]-3"]}, {key: "request.auth.claims[subject]", values: ["request.auth.claims[subject]-3"]}, {key: request.auth.presenter, values: [request.auth.presenter-3]}, {key: "request.headers[User-Agent]", values: ["request.headers[User-Agent]-3"]}, {key: source.principal, values: [source.principal-3]}]}], selector: {matchLabels: {app: productpage, version: v1}}}
`,
  },
  {
    name: 'destination-labels',
    input: `
apiVersion: v1
kind: Service
metadata: {name: productpage, namespace: default}
spec: {selector: {app: productpage, version: v1}}
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: default}
spec: {selector: {app: reviews, version: v1}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ClusterRbacConfig
metadata: {name: default}
spec: {mode: ON_WITH_INCLUSION, inclusion: {namespaces: [default]}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata: {name: role, namespace: default}
spec: {rules: [{services: [productpage.default.svc.cluster.local], methods: [GET], constraints: [{key: "destination.labels[env]", values: [env1, env2]}, {key: "destination.labels[tag]", values: [tag1, tag2]}, {key: "destination.labels[machine]", values: [machine1, machine2]}]}]}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRoleBinding
metadata: {name: binding, namespace: default}
spec: {subjects: [{user: user}], roleRef: {kind: ServiceRole, name: role}}
`,
    golden: `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-namespace-deny-all, namespace: default}
spec: {}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-role-rule0-svc0-target0, namespace: default}
spec: {rules: [{from: [{source: {principals: [user]}}], to: [{operation: {methods: [GET]}}]}], selector: {matchLabels: {app: productpage, env: env1, machine: machine1, tag: tag1, version: v1}}}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-role-rule0-svc0-target1, namespace: default}
spec: {rules: [{from: [{source: {principals: [user]}}], to: [{operation: {methods: [GET]}}]}], selector: {matchLabels: {app: productpage, env: env1, machine: machine2, tag: tag1, version: v1}}}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-role-rule0-svc0-target2, namespace: default}
spec: {rules: [{from: [{source: {principals: [user]}}], to: [{operation: {methods: [GET]}}]}], selector: {matchLabels: {app: productpage, env: env1, machine: machine1, tag: tag2, version: v1}}}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-role-rule0-svc0-target3, namespace: default}
spec: {rules: [{from: [{source: {principals: [user]}}], to: [{operation: {methods: [GET]}}]}], selector: {matchLabels: {app: productpage, env: env1, machine: machine2, tag: tag2, version: v1}}}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-role-rule0-svc0-target4, namespace: default}
spec: {rules: [{from: [{source: {principals: [user]}}], to: [{operation: {methods: [GET]}}]}], selector: {matchLabels: {app: productpage, env: env2, machine: machine1, tag: tag1, version: v1}}}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-role-rule0-svc0-target5, namespace: default}
spec: {rules: [{from: [{source: {principals: [user]}}], to: [{operation: {methods: [GET]}}]}], selector: {matchLabels: {app: productpage, env: env2, machine: machine2, tag: tag1, version: v1}}}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-role-rule0-svc0-target6, namespace: default}
spec: {rules: [{from: [{source: {principals: [user]}}], to: [{operation: {methods: [GET]}}]}], selector: {matchLabels: {app: productpage, env: env2, machine: machine1, tag: tag2, version: v1}}}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-role-rule0-svc0-target7, namespace: default}
spec: {rules: [{from: [{source: {principals: [user]}}], to: [{operation: {methods: [GET]}}]}], selector: {matchLabels: {app: productpage, env: env2, machine: machine2, tag: tag2, version: v1}}}
`,
  },
  {
    name: 'multiple-services',
    input: `
apiVersion: v1
kind: Service
metadata: {name: prefix-httpbin1-suffix, namespace: default}
spec: {selector: {app: prefix-httpbin1-suffix}}
---
apiVersion: v1
kind: Service
metadata: {name: prefix-httpbin2-suffix, namespace: default}
spec: {selector: {app: prefix-httpbin2-suffix}}
---
apiVersion: v1
kind: Service
metadata: {name: httpbin, namespace: default}
spec: {selector: {app: httpbin}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ClusterRbacConfig
metadata: {name: default}
spec: {mode: ON_WITH_INCLUSION, inclusion: {namespaces: [default]}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata: {name: httpbin, namespace: default}
spec: {rules: [{services: [prefix-*, "*-suffix"], methods: [GET]}, {services: [prefix-*], paths: [/prefix]}, {services: ["*-suffix"], paths: [/suffix]}, {services: [httpbin.default.svc.cluster.local], paths: [/exact]}]}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRoleBinding
metadata: {name: binding, namespace: default}
spec: {subjects: [{user: user}], roleRef: {kind: ServiceRole, name: httpbin}}
`,
    golden: `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-namespace-deny-all, namespace: default}
spec: {}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-httpbin-rule0-svc0-target0, namespace: default}
spec: {rules: [{from: [{source: {principals: [user]}}], to: [{operation: {methods: [GET]}}]}], selector: {matchLabels: {app: prefix-httpbin1-suffix}}}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-httpbin-rule0-svc0-target1, namespace: default}
spec: {rules: [{from: [{source: {principals: [user]}}], to: [{operation: {methods: [GET]}}]}], selector: {matchLabels: {app: prefix-httpbin2-suffix}}}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-httpbin-rule0-svc1-target0, namespace: default}
spec: {rules: [{from: [{source: {principals: [user]}}], to: [{operation: {methods: [GET]}}]}], selector: {matchLabels: {app: prefix-httpbin1-suffix}}}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-httpbin-rule0-svc1-target1, namespace: default}
spec: {rules: [{from: [{source: {principals: [user]}}], to: [{operation: {methods: [GET]}}]}], selector: {matchLabels: {app: prefix-httpbin2-suffix}}}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-httpbin-rule1-svc0-target0, namespace: default}
spec: {rules: [{from: [{source: {principals: [user]}}], to: [{operation: {paths: [/prefix]}}]}], selector: {matchLabels: {app: prefix-httpbin1-suffix}}}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-httpbin-rule1-svc0-target1, namespace: default}
spec: {rules: [{from: [{source: {principals: [user]}}], to: [{operation: {paths: [/prefix]}}]}], selector: {matchLabels: {app: prefix-httpbin2-suffix}}}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-httpbin-rule2-svc0-target0, namespace: default}
spec: {rules: [{from: [{source: {principals: [user]}}], to: [{operation: {paths: [/suffix]}}]}], selector: {matchLabels: {app: prefix-httpbin1-suffix}}}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-httpbin-rule2-svc0-target1, namespace: default}
spec: {rules: [{from: [{source: {principals: [user]}}], to: [{operation: {paths: [/suffix]}}]}], selector: {matchLabels: {app: prefix-httpbin2-suffix}}}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-httpbin-rule3-svc0-target0, namespace: default}
spec: {rules: [{from: [{source: {principals: [user]}}], to: [{operation: {paths: [/exact]}}]}], selector: {matchLabels: {app: httpbin}}}
`,
    differs: 'Service patterns match hostnames',
  },
  {
    name: 'clusterRbacConfig-off',
    input: `
apiVersion: v1
kind: Service
metadata: {name: productpage, namespace: default}
spec: {selector: {app: productpage, version: v1}}
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: default}
spec: {selector: {app: reviews, version: v1}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ClusterRbacConfig
metadata: {name: default}
spec: {mode: OFF}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata: {name: productpage, namespace: default}
spec: {rules: [{services: [productpage.default.svc.cluster.local]}]}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRoleBinding
metadata: {name: binding, namespace: default}
spec: {subjects: [{user: user}], roleRef: {kind: ServiceRole, name: productpage}}
`,
    golden: `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-global-allow-all, namespace: my-root-namespace}
spec: {rules: [{}]}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-productpage-rule0-svc0-target0, namespace: default}
spec: {rules: [{from: [{source: {principals: [user]}}]}], selector: {matchLabels: {app: productpage, version: v1}}}
`,
  },
  {
    name: 'clusterRbacConfig-inclusion-namespace',
    input: `
apiVersion: v1
kind: Service
metadata: {name: productpage, namespace: default}
spec: {selector: {app: productpage, version: v1}}
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: default}
spec: {selector: {app: reviews, version: v1}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ClusterRbacConfig
metadata: {name: default}
spec: {mode: ON_WITH_INCLUSION, inclusion: {namespaces: [ns1, ns2, ns3]}}
`,
    golden: `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-namespace-deny-all, namespace: ns1}
spec: {}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-namespace-deny-all, namespace: ns2}
spec: {}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-namespace-deny-all, namespace: ns3}
spec: {}
`,
  },
  {
    name: 'clusterRbacConfig-inclusion-service',
    input: `
apiVersion: v1
kind: Service
metadata: {name: productpage, namespace: default}
spec: {selector: {app: productpage, version: v1}}
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: default}
spec: {selector: {app: reviews, version: v1}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ClusterRbacConfig
metadata: {name: default}
spec: {mode: ON_WITH_INCLUSION, inclusion: {services: [productpage.default.svc.cluster.local, unknown.default.svc.cluster.local]}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata: {name: productpage, namespace: default}
spec: {rules: [{services: [productpage.default.svc.cluster.local]}]}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRoleBinding
metadata: {name: binding, namespace: default}
spec: {subjects: [{user: user}], roleRef: {kind: ServiceRole, name: productpage}}
`,
    golden: `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-service-productpage-deny-all, namespace: default}
spec: {selector: {matchLabels: {app: productpage, version: v1}}}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-productpage-rule0-svc0-target0, namespace: default}
spec: {rules: [{from: [{source: {principals: [user]}}]}], selector: {matchLabels: {app: productpage, version: v1}}}
`,
  },
  {
    name: 'clusterRbacConfig-exclusion-namespace',
    input: `
apiVersion: v1
kind: Service
metadata: {name: productpage, namespace: default}
spec: {selector: {app: productpage, version: v1}}
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: default}
spec: {selector: {app: reviews, version: v1}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ClusterRbacConfig
metadata: {name: default}
spec: {mode: ON_WITH_EXCLUSION, exclusion: {namespaces: [ns1, ns2, ns3]}}
`,
    golden: `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-global-deny-all, namespace: my-root-namespace}
spec: {}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-namespace-allow-all, namespace: ns1}
spec: {rules: [{}]}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-namespace-allow-all, namespace: ns2}
spec: {rules: [{}]}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-namespace-allow-all, namespace: ns3}
spec: {rules: [{}]}
`,
  },
  {
    name: 'clusterRbacConfig-exclusion-service',
    input: `
apiVersion: v1
kind: Service
metadata: {name: productpage, namespace: default}
spec: {selector: {app: productpage, version: v1}}
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: default}
spec: {selector: {app: reviews, version: v1}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ClusterRbacConfig
metadata: {name: default}
spec: {mode: ON_WITH_EXCLUSION, exclusion: {services: [productpage.default.svc.cluster.local, unknown.default.svc.cluster.local]}}
`,
    golden: `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-service-productpage-allow-all, namespace: default}
spec: {rules: [{}], selector: {matchLabels: {app: productpage, version: v1}}}
---
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-global-deny-all, namespace: my-root-namespace}
spec: {}
`,
  },
  {
    name: 'ignore-no-clusterRbacConfig',
    input: `
apiVersion: v1
kind: Service
metadata: {name: productpage, namespace: default}
spec: {selector: {app: productpage, version: v1}}
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: default}
spec: {selector: {app: reviews, version: v1}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata: {name: productpage, namespace: default}
spec: {rules: [{services: [productpage.default.svc.cluster.local]}]}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRoleBinding
metadata: {name: binding, namespace: default}
spec: {subjects: [{user: user}], roleRef: {kind: ServiceRole, name: productpage}}
`,
    golden: `
apiVersion: security.istio.io/v1beta1
kind: AuthorizationPolicy
metadata: {name: generated-productpage-rule0-svc0-target0, namespace: default}
spec: {rules: [{from: [{source: {principals: [user]}}]}], selector: {matchLabels: {app: productpage, version: v1}}}
`,
    allowNoClusterRbacConfig: true,
    addsEnforcement: true,
  },
  {
    name: 'error-no-clusterRbacConfig',
    input: `
apiVersion: v1
kind: Service
metadata: {name: productpage, namespace: default}
spec: {selector: {app: productpage, version: v1}}
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: default}
spec: {selector: {app: reviews, version: v1}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata: {name: role, namespace: default}
spec: {rules: [{services: [productpage], methods: [GET, POST]}]}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRoleBinding
metadata: {name: binding, namespace: default}
spec: {subjects: [{user: user}], roleRef: {kind: ServiceRole, name: role}}
`,
    goldenRefuses: 'no ClusterRbacConfig',
    refuses: [{ kind: 'ServiceRoleBinding', name: 'binding', reason: /no ClusterRbacConfig/ }],
  },
  {
    name: 'error-unsupported-destination-user',
    input: `
apiVersion: v1
kind: Service
metadata: {name: productpage, namespace: default}
spec: {selector: {app: productpage, version: v1}}
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: default}
spec: {selector: {app: reviews, version: v1}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ClusterRbacConfig
metadata: {name: default}
spec: {mode: ON_WITH_INCLUSION, inclusion: {namespaces: [default]}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata: {name: role, namespace: default}
spec: {rules: [{services: [productpage], constraints: [{key: destination.user, values: [admin]}]}]}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRoleBinding
metadata: {name: binding, namespace: default}
spec: {subjects: [{user: user}], roleRef: {kind: ServiceRole, name: role}}
`,
    goldenRefuses: 'destination.user is no longer supported in v1beta1 authorization policy',
    refuses: [{ kind: 'ServiceRoleBinding', name: 'binding', reason: /destination\.user/ }],
  },
  {
    name: 'error-unsupported-destination-ip',
    input: `
apiVersion: v1
kind: Service
metadata: {name: productpage, namespace: default}
spec: {selector: {app: productpage, version: v1}}
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: default}
spec: {selector: {app: reviews, version: v1}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ClusterRbacConfig
metadata: {name: default}
spec: {mode: ON_WITH_INCLUSION, inclusion: {namespaces: [default]}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata: {name: role, namespace: default}
spec: {rules: [{services: [productpage], constraints: [{key: destination.ip, values: [1.2.3.4]}]}]}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRoleBinding
metadata: {name: binding, namespace: default}
spec: {subjects: [{user: user}], roleRef: {kind: ServiceRole, name: role}}
`,
    goldenRefuses: 'destination.ip is no longer supported in v1beta1 authorization policy',
    refuses: [{ kind: 'ServiceRoleBinding', name: 'binding', reason: /destination\.ip/ }],
  },
  {
    name: 'error-duplicate-workload-label',
    input: `
apiVersion: v1
kind: Service
metadata: {name: productpage, namespace: default}
spec: {selector: {app: productpage, version: v1}}
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: default}
spec: {selector: {app: reviews, version: v1}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ClusterRbacConfig
metadata: {name: default}
spec: {mode: ON_WITH_INCLUSION, inclusion: {namespaces: [default]}}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRole
metadata: {name: role, namespace: default}
spec: {rules: [{services: [productpage], constraints: [{key: "destination.labels[app]", values: [reviews]}]}]}
---
apiVersion: rbac.istio.io/v1alpha1
kind: ServiceRoleBinding
metadata: {name: binding, namespace: default}
spec: {subjects: [{user: user}], roleRef: {kind: ServiceRole, name: role}}
`,
    goldenRefuses: 'duplicate workload label "app" with conflict values: "productpage", "reviews"',
    // Its only service is a short name, which matched nothing in 1.4: nothing to refuse, a warning.
    differs: 'Refusals meshready does not make',
  },
];

describe('golden table: istioctl x authz convert (Istio 1.5.9)', () => {
  for (const c of CASES) {
    it(`${c.name}${c.differs ? ` (differs: ${c.differs})` : ''}`, () =>
      checkGolden({ rootNamespace: 'my-root-namespace', meshPolicy: true, ...c }));
  }
});
