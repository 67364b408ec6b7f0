/**
 * What the stand-in kubectl and gcloud answer for the cluster of test/remediate/reports.ts:
 * `beforeFixes` is the state the scan saw (with the master already upgraded, so every phase
 * can run), `afterFixes` the state once every step is done.
 */
import type { FakeEffect, FakeResponse } from './fake-tools.ts';
import { CLUSTER, CONTEXT } from './reports.ts';

const identity: FakeResponse[] = [
  { match: 'kubectl config current-context', stdout: `${CONTEXT}\n` },
  { match: 'gcloud config get-value project', stdout: `${CLUSTER.project}\n` },
];

const GALLEY_RULES_BEFORE = [
  '0|authentication.istio.io,config.istio.io,|*,|get,list,watch,',
  '1|||get,',
  '2|,|configmaps,|get,',
  // The scan saw this entry at index 2; it moved since: the script must find it again.
  '3|admissionregistration.k8s.io,|validatingwebhookconfigurations,|*,',
].join('\n');

const OLD_PROXY = 'gcr.io/gke-release/istio/proxyv2:1.4.10-gke.4';
const NEW_PROXY = 'gcr.io/gke-release/istio/proxyv2:1.6.11-gke.0';
const ASM_PROXY = 'gcr.io/gke-release/asm/proxyv2:1.7.3-asm.6';

export const relabelEffects: FakeEffect[] = [
  { match: 'kubectl *label namespace shop *', sets: 'shop-relabelled' },
  { match: 'kubectl *label namespace web *', sets: 'web-relabelled' },
  { match: 'kubectl *delete validatingwebhookconfiguration istio-galley *', sets: 'galley-webhook-deleted' },
];

export function beforeFixes(options: { masterVersion?: string } = {}): FakeResponse[] {
  return [
    ...identity,
    {
      match: 'gcloud container clusters describe demo *currentMasterVersion*',
      stdout: `${options.masterVersion ?? '1.17.12-gke.1501'}\n`,
    },
    { match: 'gcloud container clusters describe demo *workloadPool*', stdout: '\n' },
    {
      match: 'gcloud container node-pools describe default-pool *workloadMetadataConfig*',
      stdout: 'GCE_METADATA\t\n',
    },
    {
      match: 'gcloud compute firewall-rules describe gke-demo-1a2b3c4d-master *',
      stdout: 'tcp:443,tcp:10250\n',
    },
    { match: 'gcloud container node-pools list --cluster demo *', stdout: 'default-pool\nsmall-pool\n' },
    {
      match: 'kubectl *get clusterrole istio-galley-istio-system --ignore-not-found -o name',
      stdout: 'clusterrole.rbac.authorization.k8s.io/istio-galley-istio-system\n',
    },
    {
      match: 'kubectl *get clusterrole istio-galley-istio-system -o go-template=*',
      stdout: `${GALLEY_RULES_BEFORE}\n`,
    },
    {
      match: 'kubectl *get validatingwebhookconfiguration istio-galley --ignore-not-found -o name',
      stdout: '',
      requires: 'galley-webhook-deleted',
    },
    {
      match: 'kubectl *get validatingwebhookconfiguration istio-galley --ignore-not-found -o name',
      stdout: 'validatingwebhookconfiguration.admissionregistration.k8s.io/istio-galley\n',
    },
    { match: 'kubectl *get * -o yaml', stdout: 'apiVersion: v1\nkind: Thing\n' },
    {
      match: 'kubectl *get deployment -n istio-system -l app=istiod,istio.io/rev=istio-1611 *',
      stdout: '1\n',
    },
    { match: 'kubectl *get namespace * --ignore-not-found -o name', stdout: 'namespace/x\n' },
    {
      match: 'kubectl *get deployment cart -n shop --ignore-not-found -o name',
      stdout: 'deployment.apps/cart\n',
    },
    {
      match: 'kubectl *get statefulset db -n shop --ignore-not-found -o name',
      stdout: 'statefulset.apps/db\n',
    },
    {
      match: 'kubectl *get namespace shop -o go-template=*',
      stdout: 'istio.io/rev=istio-1611\n',
      requires: 'shop-relabelled',
    },
    { match: 'kubectl *get namespace shop -o go-template=*', stdout: 'istio-injection=enabled\n' },
    {
      match: 'kubectl *get namespace web -o go-template=*',
      stdout: 'istio.io/rev=istio-1611\n',
      requires: 'web-relabelled',
    },
    { match: 'kubectl *get namespace web -o go-template=*', stdout: 'istio-injection=enabled\nteam=web\n' },
    { match: 'kubectl *get deployment cart -n shop -o go-template=*', stdout: 'app=cart,' },
    { match: 'kubectl *get statefulset db -n shop -o go-template=*', stdout: 'app=db,version=v1,' },
    { match: 'kubectl *get pods -n shop -l app=cart -o jsonpath=*', stdout: `cart-1\t${OLD_PROXY}\n` },
    { match: 'kubectl *get pods -n shop -l app=db,version=v1 -o jsonpath=*', stdout: `db-0\t${OLD_PROXY}\n` },
    {
      match: 'kubectl *get istiooperator -n istio-system istio-1-6-11-gke-0 --ignore-not-found -o name',
      stdout: 'istiooperator.install.istio.io/istio-1-6-11-gke-0\n',
    },
    {
      match: 'kubectl *get istiooperator -n istio-system istio-1-6-11-gke-0 -o go-template=*',
      stdout: '0|istio-ingressgateway|false\n1|ilb-gateway|true\n',
    },
    {
      match: 'kubectl *get istiooperator -n istio-system istio-1-6-11-gke-0 -o jsonpath={.spec.profile}',
      stdout: '',
    },
    {
      match: 'kubectl *get pods --all-namespaces *',
      stdout: `shop/cart-2|cart|istio-1611|${NEW_PROXY} \nistio-system/istio-pilot-1|istio-pilot||\n`,
    },
    {
      match:
        'kubectl *get deployment -n istio-system istio-citadel istio-galley istio-pilot --ignore-not-found *',
      stdout: 'istio-citadel=1\nistio-galley=1\nistio-pilot=2\n',
    },
    {
      match: 'kubectl *get deployment -n istio-system -l app=istiod -o jsonpath=*',
      stdout: 'istio-1611|1\n',
    },
    // The v1beta1 replacement of web/readers is applied; the v1alpha1 object is still there.
    {
      match: 'kubectl *get authorizationpolicies.security.istio.io -n web readers --ignore-not-found -o name',
      stdout: 'authorizationpolicy.security.istio.io/readers\n',
    },
    {
      match: 'kubectl *get servicerolebindings.rbac.istio.io -n web readers --ignore-not-found -o name',
      stdout: 'servicerolebinding.rbac.istio.io/readers\n',
    },
  ];
}

export function afterFixes(): FakeResponse[] {
  return [
    ...identity,
    { match: 'gcloud container clusters describe demo *currentMasterVersion*', stdout: '1.17.12-gke.1501\n' },
    { match: 'gcloud container clusters describe demo *workloadPool*', stdout: 'acme-prod.svc.id.goog\n' },
    {
      match: 'gcloud container node-pools describe default-pool *workloadMetadataConfig*',
      stdout: 'GKE_METADATA\t\n',
    },
    {
      match: 'gcloud compute firewall-rules describe gke-demo-1a2b3c4d-master *',
      stdout: 'tcp:443,tcp:10250,tcp:15017\n',
    },
    {
      match: 'gcloud container node-pools list --cluster demo *',
      stdout: 'default-pool\nsmall-pool\nasm-pool\n',
    },
    {
      match: 'kubectl *get clusterrole istio-galley-istio-system --ignore-not-found -o name',
      stdout: 'clusterrole.rbac.authorization.k8s.io/istio-galley-istio-system\n',
    },
    {
      match: 'kubectl *get clusterrole istio-galley-istio-system -o go-template=*',
      stdout:
        '0|authentication.istio.io,|*,|get,\n1|admissionregistration.k8s.io,|validatingwebhookconfigurations,|get,\n',
    },
    {
      match: 'kubectl *get validatingwebhookconfiguration istio-galley --ignore-not-found -o name',
      stdout: '',
    },
    {
      match: 'kubectl *get deployment -n istio-system -l app=istiod,istio.io/rev=istio-1611 *',
      stdout: '1\n',
    },
    { match: 'kubectl *get namespace * --ignore-not-found -o name', stdout: 'namespace/x\n' },
    {
      match: 'kubectl *get deployment cart -n shop --ignore-not-found -o name',
      stdout: 'deployment.apps/cart\n',
    },
    {
      match: 'kubectl *get statefulset db -n shop --ignore-not-found -o name',
      stdout: 'statefulset.apps/db\n',
    },
    { match: 'kubectl *get namespace * -o go-template=*', stdout: 'istio.io/rev=istio-1611\n' },
    { match: 'kubectl *get deployment cart -n shop -o go-template=*', stdout: 'app=cart,' },
    { match: 'kubectl *get statefulset db -n shop -o go-template=*', stdout: 'app=db,' },
    { match: 'kubectl *get pods -n shop -l * -o jsonpath=*', stdout: `cart-3\t${NEW_PROXY}\tistio-1611\n` },
    {
      match: 'kubectl *get istiooperator -n istio-system istio-1-6-11-gke-0 --ignore-not-found -o name',
      stdout: 'istiooperator.install.istio.io/istio-1-6-11-gke-0\n',
    },
    {
      match: 'kubectl *get istiooperator -n istio-system istio-1-6-11-gke-0 -o go-template=*',
      stdout: '0|istio-ingressgateway|true\n',
    },
    {
      match: 'kubectl *get istiooperator -n istio-system istio-1-6-11-gke-0 -o jsonpath={.spec.profile}',
      stdout: 'empty',
    },
    { match: 'kubectl *get pods --all-namespaces *', stdout: `shop/cart-3|cart|asm-173-6|${ASM_PROXY} \n` },
    {
      match:
        'kubectl *get deployment -n istio-system istio-citadel istio-galley istio-pilot --ignore-not-found *',
      stdout: 'istio-citadel=0\nistio-galley=0\nistio-pilot=0\n',
    },
    {
      match: 'kubectl *get deployment -n istio-system -l app=istiod -o jsonpath=*',
      stdout: 'istio-1611|1\nasm-173-6|2\n',
    },
    {
      match: 'kubectl *get authorizationpolicies.security.istio.io -n web readers --ignore-not-found -o name',
      stdout: 'authorizationpolicy.security.istio.io/readers\n',
    },
  ];
}
