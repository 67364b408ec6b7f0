/**
 * The `--custom_overlay` file install_asm needs to keep an IstioOperator's customisations: an
 * IstioOperator carrying exactly its `meshConfig`, `values` and non-gateway component `k8s`
 * settings (install-asm-preconditions). The guide's plain `install_asm --mode migrate` is "for
 * installations that were not customised": without the overlay those settings are dropped.
 *
 * Settings equal to Istio 1.6's own defaults are not customisations (the GKE add-on's operator
 * writes some of them out), and gateway settings (`values.gateways`, the gateway components) are
 * not what the rule is about (install_asm installs its own gateway), so both are left out.
 */
import { Document, type Node, Pair, Scalar, type ScalarTag, YAMLMap, YAMLSeq } from 'yaml';
import type { IstioOperator } from '../snapshot/model.ts';

type Settings = Record<string, unknown>;

/** Leaf settings whose value is Istio 1.6's default, by path under `spec.values` / `spec.meshConfig`. */
const DEFAULT_VALUES: Readonly<Record<string, unknown>> = {
  'values.global.proxy.clusterDomain': 'cluster.local',
  'values.global.istioNamespace': 'istio-system',
  'meshConfig.rootNamespace': 'istio-system',
};

function isSettings(value: unknown): value is Settings {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A map of settings as its entries, in order. Keys are data, never property names of a new
 * object: a key `__proto__` (JSON.parse makes it an own property) would otherwise set a prototype
 * and vanish.
 */
class Entries {
  readonly entries: readonly (readonly [string, unknown])[];
  constructor(entries: readonly (readonly [string, unknown])[]) {
    this.entries = entries;
  }
}

/** The tree without its default leaves and the maps they leave empty. */
function withoutDefaults(value: Settings, at: string): Entries | undefined {
  const kept: [string, unknown][] = [];
  for (const [key, child] of Object.entries(value)) {
    const path = `${at}.${key}`;
    if (isSettings(child)) {
      const inner = withoutDefaults(child, path);
      if (inner) kept.push([key, inner]);
    } else if (!(Object.hasOwn(DEFAULT_VALUES, path) && DEFAULT_VALUES[path] === child)) {
      kept.push([key, child]);
    }
  }
  return kept.length > 0 ? new Entries(kept) : undefined;
}

/** Paths of the top-level custom settings, e.g. `meshConfig.accessLogFile`, `components.pilot.k8s.resources`. */
function settingPaths(value: Entries, at: string, depth: number): string[] {
  return value.entries.flatMap(([key, child]) =>
    child instanceof Entries && depth > 1 ? settingPaths(child, `${at}.${key}`, depth - 1) : [`${at}.${key}`],
  );
}

/**
 * Every string of the overlay, keys included, is written double-quoted with JSON's escapes, and
 * with `\uXXXX` for what JSON leaves raw but a YAML reader must not see raw: U+0085, U+2028 and
 * U+2029 are line breaks to YAML 1.1 (istioctl reads the overlay with Go's YAML 1.1 library), and
 * DEL, the C1 controls and the byte-order mark are not printable. Quoted, a key `<<` is a plain
 * key, never a merge, and `yes`, `on` or `~` are strings, never booleans or null, in YAML 1.1 and
 * 1.2 alike. The yaml library's own double quotes leave those characters raw, hence this tag.
 */
const QUOTED = 'meshready-double-quoted';
const quotedString: ScalarTag = {
  tag: 'tag:yaml.org,2002:str',
  format: QUOTED,
  default: true,
  identify: (value) => typeof value === 'string',
  resolve: (text) => text,
  stringify: (item) =>
    JSON.stringify(String((item as Scalar).value)).replace(
      /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    ),
};

function quoted(text: string): Scalar {
  const scalar = new Scalar(text);
  scalar.format = QUOTED;
  return scalar;
}

/** The YAML node of a setting: maps and lists built entry by entry, strings quoted (above). */
function yamlNode(value: unknown): Node {
  if (value instanceof Entries) return yamlMap(value.entries);
  if (Array.isArray(value)) {
    const seq = new YAMLSeq();
    for (const item of value) seq.items.push(yamlNode(item));
    return seq;
  }
  if (isSettings(value)) return yamlMap(Object.entries(value));
  if (typeof value === 'string') return quoted(value);
  return new Scalar(value ?? null);
}

function yamlMap(entries: readonly (readonly [string, unknown])[]): YAMLMap {
  const map = new YAMLMap();
  for (const [key, value] of entries) map.items.push(new Pair(quoted(key), yamlNode(value)));
  return map;
}

export interface CustomOverlay {
  /** What it carries, for the finding: `meshConfig.accessLogFile`, `values.global.proxy`, `components.pilot.k8s.hpaSpec`. */
  readonly settings: readonly string[];
  /** The overlay file's text. */
  readonly yaml: string;
}

/** The overlay for an operator's customisations, or undefined when it has none. */
export function customOverlay(operator: IstioOperator): CustomOverlay | undefined {
  const custom = operator.customSettings;
  if (!custom) return undefined;
  const spec: [string, unknown][] = [];
  const settings: string[] = [];
  const meshConfig = custom.meshConfig && withoutDefaults(custom.meshConfig, 'meshConfig');
  if (meshConfig) {
    spec.push(['meshConfig', meshConfig]);
    settings.push(...settingPaths(meshConfig, 'meshConfig', 1));
  }
  // `values.gateways` customises the gateways, which install_asm replaces with its own.
  const nonGatewayValues = Object.entries(custom.values ?? {}).filter(([key]) => key !== 'gateways');
  const values = withoutDefaults(Object.fromEntries(nonGatewayValues), 'values');
  if (values) {
    spec.push(['values', values]);
    settings.push(...settingPaths(values, 'values', 2));
  }
  const components: [string, unknown][] = [];
  for (const [component, k8s] of Object.entries(custom.componentK8s ?? {})) {
    components.push([component, new Entries([['k8s', k8s]])]);
    settings.push(...Object.keys(k8s).map((key) => `components.${component}.k8s.${key}`));
  }
  if (components.length > 0) spec.push(['components', new Entries(components)]);
  if (settings.length === 0) return undefined;
  const document = new Document(null, { customTags: [quotedString] });
  document.contents = yamlMap([
    ['apiVersion', 'install.istio.io/v1alpha1'],
    ['kind', 'IstioOperator'],
    ['spec', new Entries(spec)],
  ]);
  const name = `${operator.metadata.namespace ?? 'istio-system'}/${operator.metadata.name}`.replace(
    // A name must not end the comment line (YAML 1.1 also breaks lines at U+0085, U+2028, U+2029).
    // biome-ignore lint/suspicious/noControlCharactersInRegex: these are what the class removes
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g,
    ' ',
  );
  const header =
    `# install_asm --custom_overlay: the customisations of IstioOperator ${name} (meshConfig, values and component ` +
    'k8s settings), generated by meshready. Review them against Anthos Service Mesh before installing.\n';
  return { settings, yaml: header + document.toString({ lineWidth: 0 }) };
}
