/**
 * The Pod Security Standards' "restricted" profile (which includes "baseline"), as Pod Security
 * admission enforces it for a given Kubernetes version: each check below is one of
 * kubernetes/pod-security-admission's policy checks (policy/check_*.go at commit 8f84a87c,
 * every check registered at the baseline or restricted level), with the version it starts at,
 * and the doc that defines them: https://kubernetes.io/docs/concepts/security/pod-security-standards/
 * Where the admission code relaxes a check for user-namespace or Windows pods, this one does not
 * (it is only ever stricter: a pod it passes, admission passes).
 */

// biome-ignore lint/suspicious/noExplicitAny: a pod template walked as parsed YAML
type Json = any;

export interface Violation {
  readonly check: string;
  readonly detail: string;
}

interface Check {
  readonly id: string;
  /** The first Kubernetes minor version (1.x) the check applies to. */
  readonly since: number;
  /** Checks that a restricted check replaces from its version on (OverrideCheckIDs). */
  readonly overrides?: readonly string[];
  readonly check: (metadata: Json, spec: Json, minor: number) => string[];
}

function containersOf(spec: Json): Json[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
}

const CAPABILITIES_BASELINE = new Set([
  'AUDIT_WRITE',
  'CHOWN',
  'DAC_OVERRIDE',
  'FOWNER',
  'FSETID',
  'KILL',
  'MKNOD',
  'NET_BIND_SERVICE',
  'SETFCAP',
  'SETGID',
  'SETPCAP',
  'SETUID',
  'SYS_CHROOT',
]);
const SAFE_SYSCTLS_1_0 = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_unprivileged_port_start',
]);
const RESTRICTED_VOLUME_SOURCES = new Set([
  'configMap',
  'csi',
  'downwardAPI',
  'emptyDir',
  'ephemeral',
  'image',
  'persistentVolumeClaim',
  'projected',
  'secret',
]);
const SECCOMP_ANNOTATION = 'seccomp.security.alpha.kubernetes.io/pod';
const SECCOMP_CONTAINER_ANNOTATION = 'container.seccomp.security.alpha.kubernetes.io/';
const validSeccompType = (type: unknown) => type === 'RuntimeDefault' || type === 'Localhost';
const validSeccompAnnotation = (value: string) =>
  value === 'runtime/default' || value === 'docker/default' || value.startsWith('localhost/');

const CHECKS: readonly Check[] = [
  // Baseline (policy/check_hostNamespaces.go … check_windowsHostProcess.go).
  {
    id: 'hostNamespaces',
    since: 0,
    check: (_, spec) => ['hostNetwork', 'hostPID', 'hostIPC'].filter((field) => spec[field] === true),
  },
  {
    id: 'privileged',
    since: 0,
    check: (_, spec) =>
      containersOf(spec)
        .filter((c) => c.securityContext?.privileged === true)
        .map((c) => c.name),
  },
  {
    id: 'capabilities_baseline',
    since: 0,
    check: (_, spec) =>
      containersOf(spec).flatMap((c) =>
        (c.securityContext?.capabilities?.add ?? [])
          .filter((cap: string) => !CAPABILITIES_BASELINE.has(cap))
          .map((cap: string) => `${c.name} adds ${cap}`),
      ),
  },
  {
    id: 'hostPathVolumes',
    since: 0,
    check: (_, spec) => (spec.volumes ?? []).filter((v: Json) => v.hostPath).map((v: Json) => v.name),
  },
  {
    id: 'hostPorts',
    since: 0,
    check: (_, spec) =>
      containersOf(spec).flatMap((c) =>
        (c.ports ?? []).filter((p: Json) => (p.hostPort ?? 0) !== 0).map(() => c.name),
      ),
  },
  {
    id: 'appArmorProfile',
    since: 0,
    check: (metadata, spec) => {
      const bad = Object.entries(metadata.annotations ?? {})
        .filter(([key]) => key.startsWith('container.apparmor.security.beta.kubernetes.io/'))
        .filter(([, value]) => !(value === 'runtime/default' || String(value).startsWith('localhost/')))
        .map(([key]) => key);
      const profiles = [
        spec.securityContext?.appArmorProfile,
        ...containersOf(spec).map((c) => c.securityContext?.appArmorProfile),
      ];
      for (const profile of profiles) {
        if (profile && profile.type !== 'RuntimeDefault' && profile.type !== 'Localhost')
          bad.push(profile.type);
      }
      return bad;
    },
  },
  {
    id: 'seLinuxOptions',
    since: 0,
    check: (_, spec) =>
      [spec.securityContext, ...containersOf(spec).map((c) => c.securityContext)]
        .map((context) => context?.seLinuxOptions)
        .filter(
          (options) =>
            options &&
            (options.user ||
              options.role ||
              !['', undefined, 'container_t', 'container_init_t', 'container_kvm_t'].includes(options.type)),
        )
        .map((options) => JSON.stringify(options)),
  },
  {
    id: 'procMount',
    since: 0,
    check: (_, spec) =>
      containersOf(spec)
        .filter(
          (c) => c.securityContext?.procMount !== undefined && c.securityContext.procMount !== 'Default',
        )
        .map((c) => c.name),
  },
  {
    id: 'seccompProfile_baseline',
    since: 0,
    check: (metadata, spec, minor) => {
      if (minor < 19) {
        return Object.entries(metadata.annotations ?? {})
          .filter(([key]) => key === SECCOMP_ANNOTATION || key.startsWith(SECCOMP_CONTAINER_ANNOTATION))
          .filter(([, value]) => !validSeccompAnnotation(String(value)))
          .map(([key, value]) => `${key}=${value}`);
      }
      return [spec.securityContext, ...containersOf(spec).map((c) => c.securityContext)]
        .map((context) => context?.seccompProfile)
        .filter((profile) => profile && !validSeccompType(profile.type))
        .map((profile) => profile.type);
    },
  },
  {
    id: 'sysctls',
    since: 0,
    check: (_, spec) =>
      (spec.securityContext?.sysctls ?? [])
        .filter((s: Json) => !SAFE_SYSCTLS_1_0.has(s.name))
        .map((s: Json) => s.name),
  },
  {
    id: 'windowsHostProcess',
    since: 0,
    check: (_, spec) =>
      [spec.securityContext, ...containersOf(spec).map((c) => c.securityContext)]
        .filter((context) => context?.windowsOptions?.hostProcess === true)
        .map(() => 'hostProcess'),
  },
  {
    id: 'hostProbesAndHostLifecycle',
    since: 34,
    check: (_, spec) =>
      containersOf(spec).flatMap((c) =>
        [c.livenessProbe, c.readinessProbe, c.startupProbe, c.lifecycle?.postStart, c.lifecycle?.preStop]
          .map((handler) => handler?.httpGet?.host ?? handler?.tcpSocket?.host)
          .filter((host) => host !== undefined && host !== '')
          .map((host) => `${c.name} probes host ${host}`),
      ),
  },
  // Restricted (policy/check_restrictedVolumes.go … check_seccompProfile_restricted.go).
  {
    id: 'restrictedVolumes',
    since: 0,
    overrides: ['hostPathVolumes'],
    check: (_, spec) =>
      (spec.volumes ?? [])
        .filter((v: Json) => !Object.keys(v).some((key) => RESTRICTED_VOLUME_SOURCES.has(key)))
        .map((v: Json) => v.name),
  },
  {
    id: 'allowPrivilegeEscalation',
    since: 8,
    check: (_, spec) =>
      containersOf(spec)
        .filter((c) => c.securityContext?.allowPrivilegeEscalation !== false)
        .map((c) => c.name),
  },
  {
    id: 'runAsNonRoot',
    since: 0,
    check: (_, spec) => {
      const pod = spec.securityContext?.runAsNonRoot;
      const bad = pod === false ? ['pod'] : [];
      for (const c of containersOf(spec)) {
        const own = c.securityContext?.runAsNonRoot;
        if (own === false || (own === undefined && pod !== true)) bad.push(c.name);
      }
      return bad;
    },
  },
  {
    id: 'runAsUser',
    since: 23,
    check: (_, spec) =>
      [spec.securityContext, ...containersOf(spec).map((c) => c.securityContext)]
        .filter((context) => context?.runAsUser === 0)
        .map(() => 'runAsUser=0'),
  },
  {
    id: 'seccompProfile_restricted',
    since: 19,
    overrides: ['seccompProfile_baseline'],
    check: (_, spec) => {
      const pod = spec.securityContext?.seccompProfile;
      const bad = pod && !validSeccompType(pod.type) ? ['pod'] : [];
      for (const c of containersOf(spec)) {
        const own = c.securityContext?.seccompProfile;
        if (own ? !validSeccompType(own.type) : !(pod && validSeccompType(pod.type))) bad.push(c.name);
      }
      return bad;
    },
  },
  {
    id: 'capabilities_restricted',
    since: 22,
    overrides: ['capabilities_baseline'],
    check: (_, spec) =>
      containersOf(spec).flatMap((c) => {
        const capabilities = c.securityContext?.capabilities;
        const bad: string[] = [];
        if (!(capabilities?.drop ?? []).includes('ALL')) bad.push(`${c.name} does not drop ALL`);
        for (const cap of capabilities?.add ?? [])
          if (cap !== 'NET_BIND_SERVICE') bad.push(`${c.name} adds ${cap}`);
        return bad;
      }),
  },
];

/** The violations of the restricted profile by a pod template, at Kubernetes 1.`minor`. */
export function restrictedViolations(template: { metadata?: Json; spec: Json }, minor: number): Violation[] {
  const applicable = CHECKS.filter((check) => check.since <= minor);
  const overridden = new Set(applicable.flatMap((check) => check.overrides ?? []));
  return applicable
    .filter((check) => !overridden.has(check.id))
    .flatMap((check) =>
      check
        .check(template.metadata ?? {}, template.spec, minor)
        .map((detail) => ({ check: check.id, detail })),
    );
}
