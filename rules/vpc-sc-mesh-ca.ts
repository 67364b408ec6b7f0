import { defineRule, unknown } from '../src/engine/rule.ts';

export default defineRule({
  id: 'vpc-sc-mesh-ca',
  title: 'Mesh CA is inside the VPC Service Controls perimeter',
  phase: 'prepare',
  targets: ['asm-1.6', 'asm-1.7'],
  defaultSeverity: 'info',
  // It reads no snapshot part: the perimeter is an organisation setting no cluster data shows.
  needs: [],
  docs: {
    summary: 'A manual check: an organisation with a VPC Service Controls perimeter must add Mesh CA to it.',
    checks:
      'Always unknown with the reason "manual check": whether the organisation has a service perimeter is an ' +
      'organisation-level Access Context Manager setting that neither the cluster, the GKE API nor a snapshot ' +
      "shows, and meshready reads nothing beyond the cluster's project.",
    why:
      'When the project is inside a VPC Service Controls perimeter, calls to Mesh CA ' +
      '(`meshca.googleapis.com`) are refused unless the service is added to the perimeter, and sidecars get ' +
      'no certificates ("Upgrading to Istio 1.6 with the operator", "Requirements").',
    fix:
      'Ask your organisation administrators whether a service perimeter covers the project (`gcloud ' +
      'access-context-manager perimeters list --policy POLICY_ID`). If so, add `meshca.googleapis.com` to its ' +
      'restricted services before installing ASM with Mesh CA.',
    references: [
      {
        title: 'Upgrading to Istio 1.6 with the operator: migrating to Anthos Service Mesh',
        url: 'https://cloud.google.com/istio/docs/istio-on-gke/upgrade-with-operator',
      },
      {
        title: 'Anthos Service Mesh: adding Mesh CA to a service perimeter',
        url: 'https://cloud.google.com/service-mesh/docs/vpc-sc',
      },
    ],
  },
  check(snapshot) {
    const project = snapshot.identity.project ? `project ${snapshot.identity.project}` : 'this project';
    return unknown(
      `manual check: if your organisation has a VPC Service Controls perimeter around ${project}, add Mesh CA ` +
        '(meshca.googleapis.com) to its restricted services before installing ASM; meshready cannot see ' +
        'organisation-level perimeters',
    );
  },
});
