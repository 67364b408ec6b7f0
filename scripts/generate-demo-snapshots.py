#!/usr/bin/env python3
"""Writes the demo snapshots under fixtures/demo/ as kubectl/gcloud would print them."""
import hashlib, json, os, sys, copy
import yaml

ROOT = sys.argv[1]
PROJECT = 'acme-shop'
CLUSTER = 'shop-prod'

class Dumper(yaml.SafeDumper):
    pass
def str_presenter(dumper, data):
    return dumper.represent_scalar('tag:yaml.org,2002:str', data)
Dumper.add_representer(str, str_presenter)

def uid(*parts):
    h = hashlib.sha1('/'.join(parts).encode()).hexdigest()
    return f'{h[0:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}'

def rv(*parts):
    return str(int(hashlib.sha1('/'.join(parts).encode()).hexdigest()[:6], 16))

TS = '2020-10-02T09:14:07Z'

def meta(kind, name, ns=None, labels=None, annotations=None, owner=None, managed=None):
    m = {}
    if annotations: m['annotations'] = annotations
    m['creationTimestamp'] = TS
    if labels: m['labels'] = labels
    if managed: m['managedFields'] = managed
    m['name'] = name
    if ns: m['namespace'] = ns
    if owner: m['ownerReferences'] = [owner]
    m['resourceVersion'] = rv(kind, ns or '', name)
    m['selfLink'] = f'/api/v1/namespaces/{ns}/{kind.lower()}s/{name}' if ns else f'/api/v1/{kind.lower()}s/{name}'
    m['uid'] = uid(kind, ns or '', name)
    return m

def owner_ref(kind, name, ns, api='apps/v1'):
    return {'apiVersion': api, 'blockOwnerDeletion': True, 'controller': True, 'kind': kind, 'name': name, 'uid': uid(kind, ns, name)}

def k8s_list(items):
    return {'apiVersion': 'v1', 'items': items, 'kind': 'List', 'metadata': {'resourceVersion': '', 'selfLink': ''}}

def write_yaml(state, name, doc):
    path = os.path.join(ROOT, state, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        yaml.dump(doc, f, Dumper=Dumper, default_flow_style=False, sort_keys=False, width=120)

def write_json(state, name, doc):
    path = os.path.join(ROOT, state, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        json.dump(doc, f, indent=2)
        f.write('\n')

# ---------------------------------------------------------------------------------------------
ADDON_LABELS = {'addonmanager.kubernetes.io/mode': 'Reconcile'}
PROXY14 = 'gcr.io/gke-release/istio/proxyv2:1.4.10-gke.4'
PROXY16 = 'gcr.io/gke-release/istio/proxyv2:1.6.11-gke.0'
PILOT16 = 'gcr.io/gke-release/istio/pilot:1.6.11-gke.0'
REV = 'istio-1611'
OPERATOR = 'istio-1-6-11-gke-0'
ASM_REV = 'asm-173-6'
PROXY_ASM = 'gcr.io/gke-release/asm/proxyv2:1.7.3-asm.6'
PILOT_ASM = 'gcr.io/gke-release/asm/pilot:1.7.3-asm.6'

def namespace(name, labels=None):
    return {'apiVersion': 'v1', 'kind': 'Namespace', 'metadata': meta('Namespace', name, labels=labels),
            'spec': {'finalizers': ['kubernetes']}, 'status': {'phase': 'Active'}}

def service(ns, name, ports, labels=None, svc_type='ClusterIP'):
    sel = {'app': name}
    return {'apiVersion': 'v1', 'kind': 'Service', 'metadata': meta('Service', name, ns, labels=labels or {'app': name}),
            'spec': {'clusterIP': '10.4.%d.%d' % (len(ns) * 7 % 250, len(name) * 13 % 250), 'ports': ports,
                     'selector': sel, 'sessionAffinity': 'None', 'type': svc_type},
            'status': {'loadBalancer': {}}}

def port(p, name=None, target=None, protocol='TCP', app_protocol=None):
    out = {}
    if app_protocol: out['appProtocol'] = app_protocol
    if name is not None: out['name'] = name
    out['port'] = p
    out['protocol'] = protocol
    out['targetPort'] = target if target is not None else p
    return out

def container(name, image, ports=None):
    c = {'image': image, 'imagePullPolicy': 'IfNotPresent', 'name': name,
         'resources': {'requests': {'cpu': '100m', 'memory': '128Mi'}},
         'terminationMessagePath': '/dev/termination-log', 'terminationMessagePolicy': 'File'}
    if ports: c['ports'] = [{'containerPort': p, 'protocol': 'TCP'} for p in ports]
    return c

def workload_objects(kind, ns, name, image, replicas, proxy=None, labels=None, ready=None, extra_containers=(),
                     rs_hash='5d8f7c9b6f', managed=None, template_labels=None):
    """A Deployment/StatefulSet/DaemonSet, its ReplicaSet (Deployments) and its pods."""
    labels = labels or {'app': name}
    tlabels = dict(template_labels or labels)
    containers = [container(name if kind != 'Pod' else name, image)] + list(extra_containers)
    pod_containers = copy.deepcopy(containers)
    if proxy:
        pod_containers.append(container('istio-proxy', proxy))
        tlabels_pod = dict(tlabels, **{'security.istio.io/tlsMode': 'istio'})
    else:
        tlabels_pod = dict(tlabels)
    ready = replicas if ready is None else ready
    spec = {'selector': {'matchLabels': {'app': labels.get('app', name)}},
            'template': {'metadata': {'creationTimestamp': None, 'labels': tlabels}, 'spec': {'containers': containers}}}
    objects = {'workloads': [], 'replicasets': [], 'pods': []}
    if kind == 'Deployment':
        spec = {'progressDeadlineSeconds': 600, 'replicas': replicas, 'revisionHistoryLimit': 10, **spec,
                'strategy': {'rollingUpdate': {'maxSurge': '25%', 'maxUnavailable': '25%'}, 'type': 'RollingUpdate'}}
        status = {'availableReplicas': ready, 'observedGeneration': 3, 'readyReplicas': ready, 'replicas': replicas,
                  'updatedReplicas': replicas} if replicas else {'observedGeneration': 4}
    elif kind == 'StatefulSet':
        spec = {'podManagementPolicy': 'OrderedReady', 'replicas': replicas, **spec, 'serviceName': name}
        status = {'currentReplicas': replicas, 'readyReplicas': ready, 'replicas': replicas}
    else:
        status = {'currentNumberScheduled': replicas, 'desiredNumberScheduled': replicas, 'numberAvailable': ready,
                  'numberReady': ready}
    wl = {'apiVersion': 'apps/v1', 'kind': kind,
          'metadata': meta(kind, name, ns, labels=labels, managed=managed,
                           annotations={'deployment.kubernetes.io/revision': '3'} if kind == 'Deployment' else None),
          'spec': spec, 'status': status}
    objects['workloads'].append(wl)
    owner = owner_ref(kind, name, ns)
    if kind == 'Deployment':
        rs_name = f'{name}-{rs_hash}'
        rs = {'apiVersion': 'apps/v1', 'kind': 'ReplicaSet',
              'metadata': meta('ReplicaSet', rs_name, ns, labels=dict(tlabels, **{'pod-template-hash': rs_hash}),
                               owner=owner, annotations={'deployment.kubernetes.io/revision': '3'}),
              'spec': {'replicas': replicas, 'selector': {'matchLabels': {'app': labels.get('app', name), 'pod-template-hash': rs_hash}},
                       'template': {'metadata': {'labels': tlabels}, 'spec': {'containers': containers}}},
              'status': {'availableReplicas': ready, 'readyReplicas': ready, 'replicas': replicas}}
        objects['replicasets'].append(rs)
        owner = owner_ref('ReplicaSet', rs_name, ns)
    for i in range(replicas):
        if kind == 'Deployment':
            suffix = f'{rs_hash}-{hashlib.sha1(f"{ns}{name}{i}".encode()).hexdigest()[:5]}'
        elif kind == 'StatefulSet':
            suffix = str(i)
        else:
            suffix = hashlib.sha1(f"{ns}{name}{i}".encode()).hexdigest()[:5]
        pod_name = f'{name}-{suffix}'
        is_ready = i < ready
        objects['pods'].append(pod(ns, pod_name, pod_containers, tlabels_pod if kind != 'DaemonSet' else tlabels_pod,
                                   owner, is_ready))
    return objects

def pod(ns, name, containers, labels, owner, ready=True):
    return {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': meta('Pod', name, ns, labels=labels, owner=owner),
            'spec': {'containers': containers, 'dnsPolicy': 'ClusterFirst', 'nodeName': 'gke-shop-prod-default-pool-3f2a1b9c-8xk2',
                     'restartPolicy': 'Always', 'serviceAccountName': 'default'},
            'status': {'conditions': [{'lastProbeTime': None, 'lastTransitionTime': TS, 'status': 'True', 'type': 'Initialized'},
                                      {'lastProbeTime': None, 'lastTransitionTime': TS, 'status': 'True' if ready else 'False', 'type': 'Ready'},
                                      {'lastProbeTime': None, 'lastTransitionTime': TS, 'status': 'True', 'type': 'PodScheduled'}],
                       'containerStatuses': [{'image': c['image'], 'name': c['name'], 'ready': ready, 'restartCount': 0,
                                              'started': True} for c in containers],
                       'phase': 'Running', 'podIP': '10.8.1.%d' % (len(name) % 250), 'qosClass': 'Burstable'}}

class State:
    def __init__(self):
        self.namespaces, self.services, self.workloads, self.replicasets, self.pods = [], [], [], [], []
        self.nodes = []
        self.istio = []  # Istio CRs, webhook configs, cluster roles
        self.configmaps = []
    def add(self, objs):
        for w in objs['workloads']: self.workloads.append(w)
        self.replicasets += objs['replicasets']
        self.pods += objs['pods']

ADDON_MANAGED = [
    {'apiVersion': 'apps/v1', 'fieldsType': 'FieldsV1', 'fieldsV1': {'f:metadata': {}}, 'manager': 'kube-addon-manager',
     'operation': 'Update', 'time': TS},
    {'apiVersion': 'apps/v1', 'fieldsType': 'FieldsV1', 'fieldsV1': {'f:status': {}}, 'manager': 'kube-controller-manager',
     'operation': 'Update', 'time': TS},
]
USER_EDIT = {'apiVersion': 'apps/v1', 'fieldsType': 'FieldsV1', 'fieldsV1': {'f:spec': {'f:template': {}}},
             'manager': 'kubectl-edit', 'operation': 'Update', 'time': '2020-10-20T13:02:44Z'}

OLD_CONTROL_PLANE = ['istio-citadel', 'istio-galley', 'istio-pilot', 'istio-policy', 'istio-sidecar-injector',
                     'istio-telemetry', 'prometheus', 'promsd']

def addon_control_plane(st, gateway_edited, old_replicas=1):
    images = {'istio-citadel': 'citadel', 'istio-galley': 'galley', 'istio-pilot': 'pilot', 'istio-policy': 'mixer',
              'istio-sidecar-injector': 'sidecar_injector', 'istio-telemetry': 'mixer', 'prometheus': 'prometheus',
              'promsd': 'prometheus'}
    for name in OLD_CONTROL_PLANE:
        app = {'istio-citadel': 'security', 'istio-galley': 'galley', 'istio-pilot': 'pilot', 'istio-policy': 'policy',
               'istio-sidecar-injector': 'sidecarInjectorWebhook', 'istio-telemetry': 'mixer', 'prometheus': 'prometheus',
               'promsd': 'promsd'}[name]
        labels = dict(ADDON_LABELS, app=app, istio=app if app != 'sidecarInjectorWebhook' else 'sidecar-injector', release='istio')
        image = f'gcr.io/gke-release/istio/{images[name]}:1.4.10-gke.4'
        extra = [container('istio-proxy', PROXY14)] if name in ('istio-pilot', 'istio-policy', 'istio-telemetry') else []
        st.add(workload_objects('Deployment', 'istio-system', name, image, old_replicas, labels=labels,
                                extra_containers=extra, rs_hash=hashlib.sha1(name.encode()).hexdigest()[:10],
                                managed=ADDON_MANAGED))
    gw_labels = dict(ADDON_LABELS, app='istio-ingressgateway', istio='ingressgateway', release='istio')
    gw = workload_objects('Deployment', 'istio-system', 'istio-ingressgateway', PROXY14, 2, labels=gw_labels,
                          rs_hash='b4f8986c4', managed=ADDON_MANAGED + ([USER_EDIT] if gateway_edited else []))
    gw['workloads'][0]['spec']['template']['spec']['containers'][0]['name'] = 'istio-proxy'
    for p in gw['pods']:
        p['spec']['containers'] = [container('istio-proxy', PROXY14)]
    st.add(gw)
    st.services.append(service('istio-system', 'istio-ingressgateway',
                               [port(15020, 'status-port'), port(80, 'http2'), port(443, 'https'), port(31400, 'tcp')],
                               labels=dict(gw_labels), svc_type='LoadBalancer'))
    for name, ports in [('istio-pilot', [port(15010, 'grpc-xds'), port(15011, 'https-xds'), port(8080, 'http-legacy-discovery'), port(15014, 'http-monitoring')]),
                        ('istio-galley', [port(443, 'https-validation'), port(15014, 'http-monitoring'), port(9901, 'grpc-mcp')]),
                        ('istio-sidecar-injector', [port(443, None), port(15014, 'http-monitoring')]),
                        ('istio-citadel', [port(8060, 'grpc-citadel'), port(15014, 'http-monitoring')]),
                        ('istio-policy', [port(9091, 'grpc-mixer'), port(15004, 'grpc-mixer-mtls'), port(15014, 'http-monitoring')]),
                        ('istio-telemetry', [port(9091, 'grpc-mixer'), port(15004, 'grpc-mixer-mtls'), port(15014, 'http-monitoring'), port(42422, 'prometheus')]),
                        ('promsd', [port(9090, 'http-prometheus')])]:
        st.services.append(service('istio-system', name, ports, labels=dict(ADDON_LABELS, app=name.replace('istio-', ''), istio=name.replace('istio-', ''), release='istio')))
    for cm in ['istio', 'istio-sidecar-injector', 'istio-galley-configuration', 'istio-security-custom-resources', 'prometheus', 'promsd']:
        st.configmaps.append({'apiVersion': 'v1', 'data': {'note': 'contents not read by meshready'}, 'kind': 'ConfigMap',
                              'metadata': meta('ConfigMap', cm, 'istio-system', labels=dict(ADDON_LABELS, release='istio'))})

def istiod16(st, with_gateway):
    labels = {'app': 'istiod', 'istio': 'istiod', 'istio.io/rev': REV, 'operator.istio.io/component': 'Pilot',
              'install.operator.istio.io/owning-resource': OPERATOR}
    st.add(workload_objects('Deployment', 'istio-system', f'istiod-{REV}', PILOT16, 1, labels=labels,
                            template_labels={'app': 'istiod', 'istio': 'istiod', 'istio.io/rev': REV}, rs_hash='5fccfcf4dd'))
    st.workloads[-1]['spec']['template']['spec']['containers'][0]['name'] = 'discovery'
    st.replicasets[-1]['spec']['template']['spec']['containers'][0]['name'] = 'discovery'
    for p in st.pods[-1:]:
        p['spec']['containers'][0]['name'] = 'discovery'
    st.services.append(service('istio-system', f'istiod-{REV}', [port(15010, 'grpc-xds'), port(15012, 'https-dns'), port(443, 'https-webhook', target=15017), port(15014, 'http-monitoring')],
                               labels={'app': 'istiod', 'istio': 'pilot', 'istio.io/rev': REV}))
    st.istio.append({'apiVersion': 'admissionregistration.k8s.io/v1', 'kind': 'MutatingWebhookConfiguration',
                     'metadata': meta('MutatingWebhookConfiguration', f'istio-sidecar-injector-{REV}', labels={'app': 'sidecar-injector', 'istio.io/rev': REV}),
                     'webhooks': [{'admissionReviewVersions': ['v1beta1'], 'clientConfig': {'service': {'name': f'istiod-{REV}', 'namespace': 'istio-system', 'path': '/inject', 'port': 443}},
                                   'name': 'sidecar-injector.istio.io', 'namespaceSelector': {'matchLabels': {'istio.io/rev': REV}},
                                   'sideEffects': 'None', 'failurePolicy': 'Fail'}]})

def istiod_asm(st):
    """The istiod install_asm put in place (revision asm-173-6), with its injection webhook."""
    labels = {'app': 'istiod', 'istio': 'istiod', 'istio.io/rev': ASM_REV}
    st.add(workload_objects('Deployment', 'istio-system', f'istiod-{ASM_REV}', PILOT_ASM, 2, labels=labels,
                            template_labels=dict(labels), rs_hash='7c6d9b8f4f'))
    st.workloads[-1]['spec']['template']['spec']['containers'][0]['name'] = 'discovery'
    st.replicasets[-1]['spec']['template']['spec']['containers'][0]['name'] = 'discovery'
    for p in st.pods[-2:]:
        p['spec']['containers'][0]['name'] = 'discovery'
    st.services.append(service('istio-system', f'istiod-{ASM_REV}', [port(15010, 'grpc-xds'), port(15012, 'https-dns'), port(443, 'https-webhook', target=15017), port(15014, 'http-monitoring')],
                               labels={'app': 'istiod', 'istio': 'pilot', 'istio.io/rev': ASM_REV}))
    st.istio.append({'apiVersion': 'admissionregistration.k8s.io/v1', 'kind': 'MutatingWebhookConfiguration',
                     'metadata': meta('MutatingWebhookConfiguration', f'istio-sidecar-injector-{ASM_REV}', labels={'app': 'sidecar-injector', 'istio.io/rev': ASM_REV}),
                     'webhooks': [{'admissionReviewVersions': ['v1beta1'], 'clientConfig': {'service': {'name': f'istiod-{ASM_REV}', 'namespace': 'istio-system', 'path': '/inject', 'port': 443}},
                                   'name': 'sidecar-injector.istio.io', 'namespaceSelector': {'matchLabels': {'istio.io/rev': ASM_REV}},
                                   'sideEffects': 'None', 'failurePolicy': 'Fail'}]})

def operator(profile='default', gateway_enabled=False, status='HEALTHY', custom=False):
    op = {'apiVersion': 'install.istio.io/v1alpha1', 'kind': 'IstioOperator',
            'metadata': meta('IstioOperator', OPERATOR, 'istio-system', labels={'addonmanager.kubernetes.io/mode': 'EnsureExists'}),
            'spec': {'components': {'ingressGateways': [{'enabled': gateway_enabled, 'name': 'istio-ingressgateway'}],
                                    'pilot': {'enabled': True}},
                     'hub': 'gcr.io/gke-release/istio', 'profile': profile, 'revision': REV, 'tag': '1.6.11-gke.0',
                     'values': {'global': {'proxy': {'clusterDomain': 'cluster.local'}}}},
            'status': {'status': status}}
    if custom:  # access logs and istiod resources: settings a plain install_asm migration would drop
        op['spec']['meshConfig'] = {'accessLogFile': '/dev/stdout'}
        op['spec']['components']['pilot']['k8s'] = {'resources': {'requests': {'cpu': '500m', 'memory': '2Gi'}}}
    return op

def gateway_port_objects(st):
    """Objects naming the 1.4 gateway's ports (80/443, status 15020), and the shop's own on port 80."""
    for svc in st.services:
        if svc['metadata']['name'] == 'istio-ingressgateway':
            svc['metadata'].setdefault('annotations', {})['cloud.google.com/backend-config'] = '{"default": "ingressgateway-health"}'
    gw = {'matchLabels': {'istio': 'ingressgateway'}}
    web = {'matchLabels': {'app': 'frontend'}}
    def obj(api, kind, ns, name, spec):
        m = meta(kind, name, ns)
        m['selfLink'] = f'/apis/{api}/namespaces/{ns}/{kind.lower()}s/{name}'
        return {'apiVersion': api, 'kind': kind, 'metadata': m, 'spec': spec}
    st.istio.append(obj('security.istio.io/v1beta1', 'AuthorizationPolicy', 'istio-system', 'ingressgateway-allow-web',
                        {'selector': gw, 'action': 'ALLOW', 'rules': [{'to': [{'operation': {'ports': ['80', '443']}}]}]}))
    st.istio.append(obj('security.istio.io/v1beta1', 'AuthorizationPolicy', 'shop', 'frontend-allow-http',
                        {'selector': web, 'action': 'ALLOW', 'rules': [{'to': [{'operation': {'ports': ['80']}}]}]}))
    st.istio.append(obj('networking.k8s.io/v1', 'NetworkPolicy', 'istio-system', 'ingressgateway-ingress',
                        {'podSelector': {'matchLabels': {'app': 'istio-ingressgateway'}}, 'policyTypes': ['Ingress'],
                         'ingress': [{'ports': [{'protocol': 'TCP', 'port': p} for p in (80, 443, 15020)]}]}))
    st.istio.append(obj('networking.k8s.io/v1', 'NetworkPolicy', 'shop', 'frontend-ingress',
                        {'podSelector': web, 'policyTypes': ['Ingress'], 'ingress': [{'ports': [{'protocol': 'TCP', 'port': 80}]}]}))
    st.istio.append(obj('cloud.google.com/v1', 'BackendConfig', 'istio-system', 'ingressgateway-health',
                        {'healthCheck': {'type': 'HTTP', 'port': 15020, 'requestPath': '/healthz/ready'}}))
    st.istio.append(obj('cloud.google.com/v1', 'BackendConfig', 'shop', 'frontend-health',
                        {'healthCheck': {'type': 'HTTP', 'port': 15020, 'requestPath': '/ready'}}))

def lb_health_check_rule():
    """A rule admitting Google's load-balancer health checks to the 1.4 gateway's status port only."""
    return {'allowed': [{'IPProtocol': 'tcp', 'ports': ['15020']}], 'creationTimestamp': '2020-03-02T04:20:00.000-08:00',
            'description': 'istio-ingressgateway health checks', 'direction': 'INGRESS', 'disabled': False, 'id': '4011223344556690',
            'kind': 'compute#firewall', 'name': 'shop-vpc-allow-gateway-health-checks',
            'network': f'https://www.googleapis.com/compute/v1/projects/{PROJECT}/global/networks/shop-vpc', 'priority': 1000,
            'selfLink': f'https://www.googleapis.com/compute/v1/projects/{PROJECT}/global/firewalls/shop-vpc-allow-gateway-health-checks',
            'sourceRanges': ['130.211.0.0/22', '35.191.0.0/16'], 'targetTags': [f'gke-{CLUSTER}-1a2b3c4d-node']}

def galley(st, restricted, webhook):
    verbs = ['get'] if restricted else ['*']
    st.istio.append({'apiVersion': 'rbac.authorization.k8s.io/v1', 'kind': 'ClusterRole',
                     'metadata': meta('ClusterRole', 'istio-galley-istio-system', labels=dict(ADDON_LABELS, app='galley', release='istio')),
                     'rules': [{'apiGroups': ['admissionregistration.k8s.io'], 'resources': ['validatingwebhookconfigurations'], 'verbs': verbs},
                               {'apiGroups': ['config.istio.io', 'rbac.istio.io', 'security.istio.io', 'authentication.istio.io', 'networking.istio.io'], 'resources': ['*'], 'verbs': ['get', 'list', 'watch']},
                               {'apiGroups': ['extensions', 'apps'], 'resources': ['deployments'], 'resourceNames': ['istio-galley'], 'verbs': ['get']},
                               {'apiGroups': [''], 'resources': ['pods', 'nodes', 'services', 'endpoints', 'namespaces'], 'verbs': ['get', 'list', 'watch']}]})
    if webhook:
        st.istio.append({'apiVersion': 'admissionregistration.k8s.io/v1', 'kind': 'ValidatingWebhookConfiguration',
                         'metadata': meta('ValidatingWebhookConfiguration', 'istio-galley', labels={'app': 'galley', 'istio': 'galley', 'release': 'istio'}),
                         'webhooks': [{'admissionReviewVersions': ['v1beta1'], 'clientConfig': {'service': {'name': 'istio-galley', 'namespace': 'istio-system', 'path': '/admitpilot', 'port': 443}},
                                       'failurePolicy': 'Fail', 'name': 'pilot.validation.istio.io', 'sideEffects': 'None'},
                                      {'admissionReviewVersions': ['v1beta1'], 'clientConfig': {'service': {'name': 'istio-galley', 'namespace': 'istio-system', 'path': '/admitmixer', 'port': 443}},
                                       'failurePolicy': 'Fail', 'name': 'mixer.validation.istio.io', 'sideEffects': 'None'}]})
    st.istio.append({'apiVersion': 'admissionregistration.k8s.io/v1', 'kind': 'MutatingWebhookConfiguration',
                     'metadata': meta('MutatingWebhookConfiguration', 'istio-sidecar-injector', labels=dict(ADDON_LABELS, app='sidecarInjectorWebhook', release='istio')),
                     'webhooks': [{'admissionReviewVersions': ['v1beta1'], 'clientConfig': {'service': {'name': 'istio-sidecar-injector', 'namespace': 'istio-system', 'path': '/inject', 'port': 443}},
                                   'name': 'sidecar-injector.istio.io', 'namespaceSelector': {'matchLabels': {'istio-injection': 'enabled'}},
                                   'sideEffects': 'None', 'failurePolicy': 'Fail'}]})

def mixer(st, custom):
    for kind, name in [('handler', 'prometheus'), ('handler', 'kubernetesenv'), ('instance', 'requestcount'),
                       ('rule', 'promhttp'), ('rule', 'kubeattrgenrulerule'), ('attributemanifest', 'istioproxy')]:
        st.istio.append({'apiVersion': 'config.istio.io/v1alpha2', 'kind': kind,
                         'metadata': meta(kind, name, 'istio-system', labels=dict(ADDON_LABELS, app='mixer', release='istio')),
                         'spec': {'compiledAdapter': name} if kind == 'handler' else {}})
    if custom:
        st.istio.append({'apiVersion': 'config.istio.io/v1alpha2', 'kind': 'handler',
                         'metadata': meta('handler', 'denylist-bots', 'shop'),
                         'spec': {'compiledAdapter': 'listchecker', 'params': {'overrides': ['badbot'], 'blacklist': True}}})
        st.istio.append({'apiVersion': 'config.istio.io/v1alpha2', 'kind': 'rule',
                         'metadata': meta('rule', 'deny-bots', 'shop'),
                         'spec': {'match': 'request.headers["user-agent"] == "badbot"', 'actions': [{'handler': 'denylist-bots', 'instances': ['useragent']}]}})

def security_policies(st, left):
    if not left:
        st.istio.append({'apiVersion': 'security.istio.io/v1beta1', 'kind': 'PeerAuthentication',
                         'metadata': meta('PeerAuthentication', 'default', 'istio-system'),
                         'spec': {'mtls': {'mode': 'PERMISSIVE'}}})
        return
    st.istio.append({'apiVersion': 'authentication.istio.io/v1alpha1', 'kind': 'MeshPolicy',
                     'metadata': meta('MeshPolicy', 'default', labels=dict(ADDON_LABELS, app='security', release='istio')),
                     'spec': {'peers': [{'mtls': {'mode': 'PERMISSIVE'}}]}})
    if left:
        st.istio.append({'apiVersion': 'authentication.istio.io/v1alpha1', 'kind': 'Policy',
                         'metadata': meta('Policy', 'jwt-auth', 'auth'),
                         'spec': {'origins': [{'jwt': {'issuer': 'https://accounts.google.com', 'jwksUri': 'https://www.googleapis.com/oauth2/v3/certs'}}],
                                  'principalBinding': 'USE_ORIGIN', 'targets': [{'name': 'auth'}]}})
        st.istio.append({'apiVersion': 'rbac.istio.io/v1alpha1', 'kind': 'ServiceRole',
                         'metadata': meta('ServiceRole', 'payments-reader', 'payments'),
                         'spec': {'rules': [{'methods': ['GET'], 'services': ['payments.payments.svc.cluster.local']}]}})
        st.istio.append({'apiVersion': 'rbac.istio.io/v1alpha1', 'kind': 'ServiceRoleBinding',
                         'metadata': meta('ServiceRoleBinding', 'payments-reader-binding', 'payments'),
                         'spec': {'roleRef': {'kind': 'ServiceRole', 'name': 'payments-reader'}, 'subjects': [{'user': 'cluster.local/ns/shop/sa/cart'}]}})
        # RBAC is on for the payments namespace only, so the role above is enforced (and converts).
        st.istio.append({'apiVersion': 'rbac.istio.io/v1alpha1', 'kind': 'ClusterRbacConfig',
                         'metadata': meta('ClusterRbacConfig', 'default'),
                         'spec': {'mode': 'ON_WITH_INCLUSION', 'inclusion': {'namespaces': ['payments']}}})

def traffic(st, fixed):
    vs_http = [{'match': [{'uri': {'prefix': '/api'}}], 'route': [{'destination': {'host': 'catalog', 'port': {'number': 80}}}]}]
    if not fixed:
        vs_http[0]['appendHeaders'] = {'x-shop-version': 'v2'}
        vs_http[0]['websocketUpgrade'] = True
    else:
        vs_http[0]['headers'] = {'request': {'add': {'x-shop-version': 'v2'}}}
    st.istio.append({'apiVersion': 'networking.istio.io/v1alpha3', 'kind': 'VirtualService',
                     'metadata': meta('VirtualService', 'catalog', 'catalog'),
                     'spec': {'gateways': ['istio-system/shop-gateway', 'mesh'], 'hosts': ['catalog', 'shop.example.com'], 'http': vs_http}})
    st.istio.append({'apiVersion': 'networking.istio.io/v1alpha3', 'kind': 'VirtualService',
                     'metadata': meta('VirtualService', 'cart', 'shop'),
                     'spec': {'hosts': ['cart'], 'http': [{'route': [{'destination': {'host': 'cart'}}], 'retries': {'attempts': 3, 'perTryTimeout': '2s'}}]}})
    st.istio.append({'apiVersion': 'networking.istio.io/v1alpha3', 'kind': 'Gateway',
                     'metadata': meta('Gateway', 'shop-gateway', 'istio-system'),
                     'spec': {'selector': {'istio': 'ingressgateway'}, 'servers': [{'hosts': ['shop.example.com'], 'port': {'name': 'http', 'number': 80, 'protocol': 'HTTP'}}]}})
    if not fixed:
        st.istio.append({'apiVersion': 'networking.istio.io/v1alpha3', 'kind': 'EnvoyFilter',
                         'metadata': meta('EnvoyFilter', 'search-lua-headers', 'search'),
                         'spec': {'workloadSelector': {'labels': {'app': 'search'}},
                                  'configPatches': [{'applyTo': 'HTTP_FILTER', 'match': {'context': 'SIDECAR_INBOUND'},
                                                     'patch': {'operation': 'INSERT_BEFORE', 'value': {'name': 'envoy.lua'}}}]}})

# namespace -> (services, workloads)
APPS = {
    'shop': [('frontend', 'Deployment', 3, [port(80, 'http', 8080)]), ('cart', 'Deployment', 2, [port(8080, None)]),
             ('checkout', 'Deployment', 2, [port(5050, 'grpc')])],
    'catalog': [('catalog', 'Deployment', 2, [port(80, 'web', 8080)]), ('catalog-db', 'StatefulSet', 1, [port(3306, None)])],
    'payments': [('payments', 'Deployment', 2, [port(7000, 'grpc-payments')]), ('fraud-check', 'Deployment', 1, [port(8443, 'https')])],
    'auth': [('auth', 'Deployment', 2, [port(80, 'http'), port(9090, 'metrics')])],
    'search': [('search', 'Deployment', 2, [port(9200, 'http')]), ('redis', 'StatefulSet', 1, [port(6379, 'redis')])],
    'staging': [('frontend', 'Deployment', 1, [port(80, None, 'http-web')])],
    'batch': [('report-runner', 'Deployment', 1, [port(8080, 'http')])],
    'monitoring': [('node-exporter', 'DaemonSet', 3, [port(9100, 'metrics')]), ('grafana', 'Deployment', 1, [port(3000, 'http')])],
    'legacy': [('soap-gateway', 'Deployment', 1, [port(8081, 'soap')])],
}

def build_apps(st, proxy_for, fixed_ports=False):
    for ns, apps in APPS.items():
        for name, kind, replicas, ports in apps:
            if fixed_ports:
                ports = [dict(p, name=p.get('name') if p.get('name') not in (None, 'web', 'metrics', 'soap') else
                              {'web': 'http-web', 'metrics': 'http-metrics', 'soap': 'http-soap'}.get(p.get('name'), 'http' if p['port'] != 3306 else 'tcp-mysql'))
                         for p in ports]
            st.services.append(service(ns, name, ports))
            st.add(workload_objects(kind, ns, name, f'europe-docker.pkg.dev/{PROJECT}/apps/{name}:2020.10.1', replicas,
                                    proxy=proxy_for(ns, name), rs_hash=hashlib.sha1(f'{ns}{name}'.encode()).hexdigest()[:10]))
    # a bare pod someone started by hand
    bare_proxy = proxy_for('batch', 'debug-shell')
    containers = [container('shell', 'gcr.io/google-containers/busybox:1.27')] + ([container('istio-proxy', bare_proxy)] if bare_proxy else [])
    st.pods.append(pod('batch', 'debug-shell', containers, {'run': 'debug-shell'}, None))
    st.pods[-1]['metadata'].pop('ownerReferences', None)

def system_objects(st):
    st.services.append({'apiVersion': 'v1', 'kind': 'Service', 'metadata': meta('Service', 'kubernetes', 'default', labels={'component': 'apiserver', 'provider': 'kubernetes'}),
                        'spec': {'clusterIP': '10.4.0.1', 'ports': [port(443, 'https', 443)], 'sessionAffinity': 'None', 'type': 'ClusterIP'}})
    st.services.append(service('kube-system', 'kube-dns', [port(53, 'dns', protocol='UDP'), port(53, 'dns-tcp')], labels={'k8s-app': 'kube-dns'}))
    st.services.append(service('kube-system', 'metrics-server', [port(443, None)], labels={'k8s-app': 'metrics-server'}))
    st.add(workload_objects('Deployment', 'kube-system', 'kube-dns', 'gke.gcr.io/k8s-dns-kube-dns-amd64:1.15.13', 2, labels={'k8s-app': 'kube-dns'}, rs_hash='7bb4975665'))

def nodes(st, pools, version):
    for pool, machine, count, zones in pools:
        cpus = {'e2-standard-4': '4', 'e2-medium': '2', 'n1-standard-8': '8', 'custom-4-16384': '4'}[machine]
        for z in zones:
            for i in range(count):
                h = hashlib.sha1(f'{pool}{z}'.encode()).hexdigest()[:8]
                name = f'gke-{CLUSTER}-{pool}-{h}-{hashlib.sha1(f"{pool}{z}{i}".encode()).hexdigest()[:4]}'
                st.nodes.append({'apiVersion': 'v1', 'kind': 'Node',
                                 'metadata': meta('Node', name, labels={'beta.kubernetes.io/instance-type': machine, 'cloud.google.com/gke-nodepool': pool,
                                                                        'kubernetes.io/hostname': name, 'topology.kubernetes.io/zone': z,
                                                                        'node.kubernetes.io/instance-type': machine}),
                                 'spec': {'podCIDR': '10.8.%d.0/24' % (len(st.nodes) + 1), 'providerID': f'gce://{PROJECT}/{z}/{name}'},
                                 'status': {'capacity': {'cpu': cpus, 'memory': '16393716Ki', 'pods': '110'},
                                            'allocatable': {'cpu': str(int(cpus) * 1000 - 60) + 'm', 'memory': '13946868Ki', 'pods': '110'},
                                            'nodeInfo': {'kubeletVersion': f'v{version}', 'containerRuntimeVersion': 'docker://19.3.8', 'osImage': 'Container-Optimized OS from Google'}}})

def cluster_json(version, private=False, regional=False, pools=(), workload_identity=False):
    location = 'europe-west1' if regional else 'europe-west1-b'
    zones = ['europe-west1-b', 'europe-west1-c', 'europe-west1-d'] if regional else ['europe-west1-b']
    c = {
        'addonsConfig': {'horizontalPodAutoscaling': {}, 'httpLoadBalancing': {}, 'istioConfig': {'auth': 'AUTH_MUTUAL_TLS'},
                         'kubernetesDashboard': {'disabled': True}, 'networkPolicyConfig': {'disabled': True}},
        'clusterIpv4Cidr': '10.8.0.0/14', 'createTime': '2019-06-11T08:12:43+00:00',
        'currentMasterVersion': version, 'currentNodeCount': sum(p[2] * len(zones) for p in pools), 'currentNodeVersion': version,
        'endpoint': '35.195.10.20' if not private else '172.16.0.2', 'initialClusterVersion': '1.13.6-gke.13',
        'ipAllocationPolicy': {'clusterIpv4Cidr': '10.8.0.0/14', 'servicesIpv4Cidr': '10.4.0.0/19', 'useIpAliases': True},
        'location': location, 'locations': zones, 'loggingService': 'logging.googleapis.com/kubernetes',
        'monitoringService': 'monitoring.googleapis.com/kubernetes', 'name': CLUSTER, 'network': 'shop-vpc',
        'networkConfig': {'network': f'projects/{PROJECT}/global/networks/shop-vpc', 'subnetwork': f'projects/{PROJECT}/regions/europe-west1/subnetworks/shop-nodes'},
        'nodePools': [],
        'selfLink': f'https://container.googleapis.com/v1beta1/projects/{PROJECT}/{"locations" if regional else "zones"}/{location}/clusters/{CLUSTER}',
        'status': 'RUNNING', 'subnetwork': 'shop-nodes', 'zone': location,
    }
    if private:
        c['privateClusterConfig'] = {'enablePrivateNodes': True, 'masterIpv4CidrBlock': '172.16.0.0/28', 'privateEndpoint': '172.16.0.2', 'publicEndpoint': '35.195.10.20'}
    if workload_identity:
        c['workloadIdentityConfig'] = {'workloadPool': f'{PROJECT}.svc.id.goog'}
    for pool, machine, count, _ in pools:
        p = {'config': {'diskSizeGb': 100, 'diskType': 'pd-standard', 'imageType': 'COS', 'machineType': machine,
                        'oauthScopes': ['https://www.googleapis.com/auth/cloud-platform'], 'serviceAccount': 'default',
                        'tags': ['shop-nodes']},
             'initialNodeCount': count, 'locations': zones, 'management': {'autoRepair': True, 'autoUpgrade': True},
             'name': pool, 'status': 'RUNNING', 'version': version}
        if pool == 'default-pool':
            p['autoscaling'] = {'enabled': True, 'maxNodeCount': 4, 'minNodeCount': 1}
        if workload_identity:
            p['config']['workloadMetadataConfig'] = {'mode': 'GKE_METADATA'}
        c['nodePools'].append(p)
    return c

def firewall_rules(private, webhook_port_open=False):
    h = '1a2b3c4d'
    rules = [
        {'allowed': [{'IPProtocol': 'tcp', 'ports': ['22']}], 'creationTimestamp': '2019-06-11T01:12:43.000-07:00', 'description': '',
         'direction': 'INGRESS', 'disabled': False, 'id': '4011223344556677', 'kind': 'compute#firewall', 'logConfig': {'enable': False},
         'name': 'shop-vpc-allow-ssh-iap', 'network': f'https://www.googleapis.com/compute/v1/projects/{PROJECT}/global/networks/shop-vpc',
         'priority': 1000, 'selfLink': f'https://www.googleapis.com/compute/v1/projects/{PROJECT}/global/firewalls/shop-vpc-allow-ssh-iap',
         'sourceRanges': ['35.235.240.0/20']},
        {'allowed': [{'IPProtocol': 'tcp'}, {'IPProtocol': 'udp'}, {'IPProtocol': 'icmp'}, {'IPProtocol': 'esp'}, {'IPProtocol': 'ah'}, {'IPProtocol': 'sctp'}],
         'creationTimestamp': '2019-06-11T01:12:43.000-07:00', 'description': '', 'direction': 'INGRESS', 'disabled': False, 'id': '4011223344556678',
         'kind': 'compute#firewall', 'name': f'gke-{CLUSTER}-{h}-all', 'network': f'https://www.googleapis.com/compute/v1/projects/{PROJECT}/global/networks/shop-vpc',
         'priority': 1000, 'selfLink': f'https://www.googleapis.com/compute/v1/projects/{PROJECT}/global/firewalls/gke-{CLUSTER}-{h}-all',
         'sourceRanges': ['10.8.0.0/14'], 'targetTags': [f'gke-{CLUSTER}-{h}-node']},
        {'allowed': [{'IPProtocol': 'tcp', 'ports': ['30000-32767']}, {'IPProtocol': 'udp', 'ports': ['30000-32767']}],
         'creationTimestamp': '2019-06-11T01:12:43.000-07:00', 'description': '', 'direction': 'INGRESS', 'disabled': False, 'id': '4011223344556679',
         'kind': 'compute#firewall', 'name': f'gke-{CLUSTER}-{h}-vms', 'network': f'https://www.googleapis.com/compute/v1/projects/{PROJECT}/global/networks/shop-vpc',
         'priority': 1000, 'selfLink': f'https://www.googleapis.com/compute/v1/projects/{PROJECT}/global/firewalls/gke-{CLUSTER}-{h}-vms',
         'sourceRanges': ['10.132.0.0/20'], 'targetTags': [f'gke-{CLUSTER}-{h}-node']},
    ]
    if private:
        rules.append({'allowed': [{'IPProtocol': 'tcp', 'ports': ['10250', '443'] + (['15017'] if webhook_port_open else [])}],
                      'creationTimestamp': '2019-06-11T01:12:43.000-07:00',
                      'description': '', 'direction': 'INGRESS', 'disabled': False, 'id': '4011223344556680', 'kind': 'compute#firewall',
                      'name': f'gke-{CLUSTER}-{h}-master', 'network': f'https://www.googleapis.com/compute/v1/projects/{PROJECT}/global/networks/shop-vpc',
                      'priority': 1000, 'selfLink': f'https://www.googleapis.com/compute/v1/projects/{PROJECT}/global/firewalls/gke-{CLUSTER}-{h}-master',
                      'sourceRanges': ['172.16.0.0/28'], 'targetTags': [f'gke-{CLUSTER}-{h}-node']})
    return rules

def machine_types(zone):
    out = []
    for name, cpus, mem, shared in [('e2-medium', 2, 4096, True), ('e2-standard-2', 2, 8192, False), ('e2-standard-4', 4, 16384, False),
                                    ('e2-standard-8', 8, 32768, False), ('n1-standard-4', 4, 15360, False), ('n1-standard-8', 8, 30720, False)]:
        out.append({'creationTimestamp': '1969-12-31T16:00:00.000-08:00', 'description': f'{cpus} vCPUs, {mem // 1024} GB RAM',
                    'guestCpus': cpus, 'id': str(900000 + cpus * 100 + len(name)), 'imageSpaceGb': 0, 'isSharedCpu': shared,
                    'kind': 'compute#machineType', 'maximumPersistentDisks': 128, 'maximumPersistentDisksSizeGb': '263168',
                    'memoryMb': mem, 'name': name, 'selfLink': f'https://www.googleapis.com/compute/v1/projects/{PROJECT}/zones/{zone}/machineTypes/{name}',
                    'zone': zone})
    return out

def write_state(state, st, cluster, fw=None, mt=None, readme=''):
    write_json(state, 'gcloud/cluster.json', cluster)
    if fw is not None: write_json(state, 'gcloud/firewall-rules.json', fw)
    if mt is not None: write_json(state, 'gcloud/machine-types.json', mt)
    write_yaml(state, 'kubectl/namespaces.yaml', k8s_list(st.namespaces))
    if st.nodes: write_yaml(state, 'kubectl/nodes.yaml', k8s_list(st.nodes))
    write_yaml(state, 'kubectl/services.yaml', k8s_list(st.services))
    # workloads as JSON, as `kubectl get deploy,sts,ds,rs -A -o json` prints them
    write_json(state, 'kubectl/workloads.json', k8s_list(st.workloads + st.replicasets))
    write_json(state, 'kubectl/pods.json', k8s_list(st.pods))
    write_yaml(state, 'kubectl/istio-system-configmaps.yaml', k8s_list(st.configmaps))
    # Istio objects, one multi-document file as `kubectl get ... -o yaml` per kind would be concatenated
    path = os.path.join(ROOT, state, 'kubectl/istio.yaml')
    with open(path, 'w') as f:
        yaml.dump_all(st.istio, f, Dumper=Dumper, default_flow_style=False, sort_keys=False, width=120)
    with open(os.path.join(ROOT, state, 'README.md'), 'w') as f:
        f.write(readme)

BASE_NS = ['default', 'kube-system', 'kube-public', 'kube-node-lease']

# ---- addon-1.4 -----------------------------------------------------------------------------
st = State()
for ns in BASE_NS: st.namespaces.append(namespace(ns))
st.namespaces.append(namespace('istio-system', labels=dict(ADDON_LABELS, **{'istio-injection': 'disabled'})))
inj = {'shop', 'catalog', 'payments', 'auth', 'search', 'staging'}
for ns in APPS:
    st.namespaces.append(namespace(ns, labels={'istio-injection': 'enabled'} if ns in inj else ({'istio-injection': 'disabled'} if ns == 'legacy' else None)))
addon_control_plane(st, gateway_edited=True)
galley(st, restricted=False, webhook=True)
mixer(st, custom=True)
security_policies(st, left=True)
traffic(st, fixed=False)
system_objects(st)
build_apps(st, lambda ns, name: PROXY14 if ns in inj else None)
nodes(st, [('default-pool', 'e2-standard-4', 3, ['europe-west1-b'])], '1.16.15-gke.4300')
write_state('addon-1.4', st, cluster_json('1.16.15-gke.4300', pools=[('default-pool', 'e2-standard-4', 3, None)]),
            fw=firewall_rules(False),
            readme='# Demo: addon-1.4\n\nA zonal GKE 1.16 cluster on the Istio on GKE 1.4 add-on; the migration has not started.\n'
                   'Six namespaces use `istio-injection=enabled`, the galley webhook and its ClusterRole are untouched, v1alpha1\n'
                   'policies, a custom Mixer handler, an EnvoyFilter and a VirtualService with removed fields are still there,\n'
                   'and some Service ports are unnamed. Someone edited the add-on ingress gateway with `kubectl edit`.\n'
                   'Scan it with `meshready scan --snapshot fixtures/demo/addon-1.4` (target istio-1.6).\n')

# ---- mid-migration ------------------------------------------------------------------------
st = State()
for ns in BASE_NS: st.namespaces.append(namespace(ns))
st.namespaces.append(namespace('istio-system', labels=dict(ADDON_LABELS, **{'istio-injection': 'disabled'})))
labels_mid = {
    'shop': {'istio.io/rev': REV},                                     # migrated and restarted
    'payments': {'istio.io/rev': REV},                                 # relabelled, not restarted yet
    'catalog': {'istio-injection': 'enabled', 'istio.io/rev': REV},    # mistake: both labels
    'search': {'istio.io/rev': 'istio-163'},                           # mistake: a revision that does not run
    'auth': {'istio-injection': 'enabled'},                            # not migrated yet
    'staging': {'istio-injection': 'enabled'},
    'legacy': {'istio-injection': 'disabled'},
}
for ns in APPS:
    st.namespaces.append(namespace(ns, labels=labels_mid.get(ns)))
addon_control_plane(st, gateway_edited=False)
istiod16(st, with_gateway=False)
st.istio.append(operator(profile='default', gateway_enabled=False))
galley(st, restricted=True, webhook=False)
mixer(st, custom=False)
security_policies(st, left=False)
traffic(st, fixed=True)
system_objects(st)
proxied = {'shop': PROXY16, 'payments': PROXY14, 'catalog': PROXY14, 'search': PROXY14, 'auth': PROXY14, 'staging': PROXY14}
build_apps(st, lambda ns, name: proxied.get(ns), fixed_ports=False)
# the unnamed ports of the first state were fixed, except cart's
for svc in st.services:
    if svc['metadata']['namespace'] not in ('shop',):
        for p in svc['spec']['ports']:
            if svc['metadata']['namespace'] in ('istio-system', 'kube-system', 'default'):
                continue
            if p.get('name') in (None, 'web', 'metrics', 'soap'):
                p['name'] = {'web': 'http-web', 'metrics': 'http-metrics', 'soap': 'http-soap'}.get(p.get('name'), 'http' if p['port'] != 3306 else 'tcp-mysql')
gateway_port_objects(st)
nodes(st, [('default-pool', 'e2-standard-4', 3, ['europe-west1-b'])], '1.17.12-gke.1501')
write_state('mid-migration', st, cluster_json('1.17.12-gke.1501', private=True, pools=[('default-pool', 'e2-standard-4', 3, None)]),
            fw=firewall_rules(True) + [lb_health_check_rule()],
            readme='# Demo: mid-migration\n\nThe cluster was upgraded to GKE 1.17.12-gke.1501; istiod `istio-1611` (Istio 1.6.11) runs beside the 1.4\n'
                   'control plane and the galley steps are done. `shop` is migrated and restarted, `payments` is relabelled but\n'
                   'still runs 1.4 proxies, `catalog` carries both injection labels, `search` points at a revision that does not\n'
                   'run, `auth` and `staging` are not migrated, and the shop `cart` Service still has an unnamed port.\n'
                   'The cluster is private and its master firewall rule does not open tcp:15017; an AuthorizationPolicy, a\n'
                   'NetworkPolicy, a BackendConfig and a firewall rule still name the 1.4 gateway ports (80/443, status 15020).\n'
                   'Scan it with `meshready scan --snapshot fixtures/demo/mid-migration` (target istio-1.6).\n')

# ---- asm-candidate ------------------------------------------------------------------------
st = State()
for ns in BASE_NS: st.namespaces.append(namespace(ns))
st.namespaces.append(namespace('istio-system', labels=dict(ADDON_LABELS, **{'istio-injection': 'disabled'})))
meshed = {'shop', 'catalog', 'payments', 'auth', 'search', 'staging'}
for ns in APPS:
    st.namespaces.append(namespace(ns, labels={'istio.io/rev': REV} if ns in meshed else ({'istio-injection': 'disabled'} if ns == 'legacy' else None)))
addon_control_plane(st, gateway_edited=False)
# the operator's gateway replaced the add-on's: gateway pods now run 1.6
for w in st.workloads:
    if w['metadata']['name'] == 'istio-ingressgateway':
        w['metadata']['labels']['istio.io/rev'] = REV
        w['spec']['template']['spec']['containers'][0]['image'] = PROXY16
for p in st.pods:
    if p['metadata']['name'].startswith('istio-ingressgateway-'):
        p['spec']['containers'][0]['image'] = PROXY16
        p['metadata']['labels']['istio.io/rev'] = REV
istiod16(st, with_gateway=True)
st.istio.append(operator(profile='default', gateway_enabled=True, custom=True))
galley(st, restricted=True, webhook=False)
mixer(st, custom=False)
security_policies(st, left=False)
traffic(st, fixed=True)
system_objects(st)
build_apps(st, lambda ns, name: PROXY16 if ns in meshed else None, fixed_ports=True)
for pod_ in st.pods:  # the old control plane's own sidecars are not workload proxies
    pass
regional_pools = [('default-pool', 'e2-standard-4', 1, ['europe-west1-b', 'europe-west1-c', 'europe-west1-d']),
                  ('tools-pool', 'e2-medium', 1, ['europe-west1-b', 'europe-west1-c', 'europe-west1-d'])]
nodes(st, regional_pools, '1.17.13-gke.2600')
write_state('asm-candidate', st,
            cluster_json('1.17.13-gke.2600', private=True, regional=True, pools=[(p, m, c, None) for p, m, c, _ in regional_pools]),
            fw=firewall_rules(True), mt=machine_types('europe-west1-b'),
            readme='# Demo: asm-candidate\n\nA private regional GKE 1.17 cluster fully on Istio 1.6.11 (`istio-1611`), including the ingress gateway,\n'
                   'checked against `asm-1.7`. The 1.4 control plane still has replicas, the operator profile is still `default`,\n'
                   'Workload Identity is off, the GKE master firewall rule does not open tcp:15017, and a small e2-medium pool\n'
                   'does not count toward the 8-vCPU requirement. The IstioOperator sets access logs and istiod resources\n'
                   '(an install_asm custom overlay is needed).\n'
                   'Scan it with `meshready scan --snapshot fixtures/demo/asm-candidate --target asm-1.7`.\n')

# ---- asm-installed ------------------------------------------------------------------------
# The asm-candidate cluster after install_asm ran, but without disabling the operator first: its
# profile is still `default`, so it keeps reconciling beside ASM. shop is on asm-173-6 already,
# catalog relabelled but not restarted, the others still on the operator's istio-1611.
st = State()
for ns in BASE_NS: st.namespaces.append(namespace(ns))
st.namespaces.append(namespace('istio-system', labels=dict(ADDON_LABELS, **{'istio-injection': 'disabled'})))
on_asm = {'shop', 'catalog'}
for ns in APPS:
    st.namespaces.append(namespace(ns, labels={'istio.io/rev': ASM_REV} if ns in on_asm else ({'istio.io/rev': REV} if ns in meshed else ({'istio-injection': 'disabled'} if ns == 'legacy' else None))))
addon_control_plane(st, gateway_edited=False, old_replicas=0)
# install_asm replaced the gateway: its pods run the ASM proxy of revision asm-173-6
for w in st.workloads:
    if w['metadata']['name'] == 'istio-ingressgateway':
        w['metadata']['labels']['istio.io/rev'] = ASM_REV
        w['spec']['template']['spec']['containers'][0]['image'] = PROXY_ASM
for p in st.pods:
    if p['metadata']['name'].startswith('istio-ingressgateway-'):
        p['spec']['containers'][0]['image'] = PROXY_ASM
        p['metadata']['labels']['istio.io/rev'] = ASM_REV
istiod16(st, with_gateway=True)
istiod_asm(st)
st.istio.append(operator(profile='default', gateway_enabled=True, custom=True))
galley(st, restricted=True, webhook=False)
mixer(st, custom=False)
security_policies(st, left=False)
traffic(st, fixed=True)
system_objects(st)
build_apps(st, lambda ns, name: PROXY_ASM if ns == 'shop' else (PROXY16 if ns in meshed else None), fixed_ports=True)
for p in st.pods:  # every 1.6+ injector labels its pods with the revision it injected
    if any(c['name'] == 'istio-proxy' for c in p['spec']['containers']) and p['metadata']['namespace'] != 'istio-system':
        p['metadata']['labels']['istio.io/rev'] = ASM_REV if p['metadata']['namespace'] == 'shop' else REV
# two nodes per zone, as install_asm's own vCPU check asked before it ran
installed_pools = [('default-pool', 'e2-standard-4', 2, ['europe-west1-b', 'europe-west1-c', 'europe-west1-d']),
                   ('tools-pool', 'e2-medium', 1, ['europe-west1-b', 'europe-west1-c', 'europe-west1-d'])]
nodes(st, installed_pools, '1.17.13-gke.2600')
write_state('asm-installed', st,
            cluster_json('1.17.13-gke.2600', private=True, regional=True, pools=[(p, m, c, None) for p, m, c, _ in installed_pools],
                         workload_identity=True),
            fw=firewall_rules(True, webhook_port_open=True), mt=machine_types('europe-west1-b'),
            readme='# Demo: asm-installed\n\nThe asm-candidate cluster after `install_asm --mode migrate` ran (Anthos Service Mesh 1.7, revision\n'
                   '`asm-173-6`, and its ingress gateway), without disabling the operator first: the IstioOperator profile is still\n'
                   '`default`, so the operator keeps reconciling beside ASM. `shop` runs on `asm-173-6`, `catalog` is relabelled\n'
                   'but not restarted, the other namespaces still select the operator\'s `istio-1611`. install_asm has nothing left\n'
                   'to do (it refuses to run again); the script sets the profile to `disabled` (at run time, `empty` once nothing\n'
                   'runs on `istio-1611`) and moves the namespaces.\n'
                   'Scan it with `meshready scan --snapshot fixtures/demo/asm-installed --target asm-1.7`.\n')
print('ok')
