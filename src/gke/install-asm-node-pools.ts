/**
 * install_asm's own node-pool check, `validate_node_pool`, predicted exactly (SPEC §4
 * `cluster-vcpu-capacity`, §8). It is not ASM's requirement, which vcpu.ts counts with the real
 * vCPUs: it is what install_asm will say, which decides whether it installs at all.
 *
 * Source: GoogleCloudPlatform/anthos-service-mesh-packages, `scripts/asm-installer/install_asm`,
 * branch release-1.6-asm (5cd7169e, 1.6.14-asm.2) lines 587-631, and branch release-1.7-asm
 * (1179749a, 1.7.8-asm.10) lines 943-994.
 *
 * 1. Which pools: `list_valid_pools` (1.6 587-594, 1.7 943-950) runs `gcloud container node-pools
 *    list --filter 'config.machineType.split(sep="-").slice(-1:) >= 4' --format=json`. gcloud's
 *    filter compares a value that reads as a number as a number, and any other value as text
 *    (googlecloudsdk/core/resource/resource_expr.py, `_ExprOperator.Evaluate`): `e2-standard-2`
 *    is out (2 < 4), `custom-4-16384` is in (16384), and so are `e2-medium` and `a2-highgpu-8g`
 *    ("medium" >= "4" and "8g" >= "4" as text).
 * 2. What it multiplies: jq (1.6 616-621, 1.7 972-977) prints, pool by pool in the API's order,
 *    `(if .autoscaling.enabled then .autoscaling.maxNodeCount else .initialNodeCount end) *
 *    (the last part | tonumber)`. Both counts are per zone, whatever the number of zones, and the
 *    current size is never read. jq stops at the first pool where this fails: a last part that is
 *    no number (`medium`), or a count the API left out (it omits 0, and a pool autoscaled by
 *    `totalMaxNodeCount` has no `maxNodeCount`).
 * 3. The verdict. 1.6 (623-630): `[[ "$ACTUAL_CPU" -ge 8 ]]` on the whole output, so one product
 *    of at least 8 passes, and two or more lines are a bash syntax error: it refuses whenever two
 *    pools are kept (`fatal`, exit 2). A jq error there ends install_asm at once (`set -e` and
 *    `pipefail`, lines 2-3; exit 5). 1.7 (979-993): the largest product printed, jq errors ignored
 *    (`2>/dev/null || true`), and below 8 only `warn_pause`: a warning, a 2-second pause, and the
 *    install goes on (since commit 42755548, 2021-01-29, "Relax validation constraints"; 1.7
 *    copies from before refused).
 *
 * Outside the model: machine type names whose last part is a number in another notation
 * (`1e3`, `inf`); no such type exists.
 */
import type { NodePool } from '../snapshot/model.ts';

/** The install_asm releases whose check differs: the ASM targets. */
export type InstallAsmRelease = 'asm-1.6' | 'asm-1.7';

/** install_asm's thresholds (`MACHINE_CPU_REQ`, `TOTAL_CPU_REQ`). */
export const INSTALL_ASM_MACHINE_MINIMUM = 4;
export const INSTALL_ASM_TOTAL_MINIMUM = 8;

/** The filter install_asm passes to gcloud, as the script can run it again. */
export const INSTALL_ASM_POOL_FILTER = `config.machineType.split(sep="-").slice(-1:) >= ${INSTALL_ASM_MACHINE_MINIMUM}`;

/** What install_asm reads of one pool its filter keeps. */
export interface InstallAsmPoolReading {
  readonly pool: NodePool;
  readonly machineType: string;
  /** The last dash-separated part of the machine type name, which install_asm takes for vCPUs. */
  readonly lastPart: string;
  /** The last part as a number, when it is one. */
  readonly lastNumber: number | undefined;
  readonly countField: 'autoscaling.maxNodeCount' | 'initialNodeCount';
  /** The count it multiplies (per zone); undefined when the field is absent. */
  readonly count: number | undefined;
  /** count x last number, or undefined where jq fails on this pool. */
  readonly product: number | undefined;
}

export type InstallAsmVerdict = 'passes' | 'refuses' | 'warns';

export interface ValidateNodePoolPrediction {
  readonly release: InstallAsmRelease;
  /** The pools gcloud's filter keeps, in the order of the cluster data (the API's order). */
  readonly kept: readonly InstallAsmPoolReading[];
  /** The products jq prints, up to the pool where it stops. */
  readonly printed: readonly number[];
  /** The first kept pool jq fails on; it prints nothing for that pool or any after it. */
  readonly failedAt: InstallAsmPoolReading | undefined;
  /** 1.7: the largest product printed (0 when none). 1.6: the product when exactly one is printed. */
  readonly counted: number | undefined;
  readonly verdict: InstallAsmVerdict;
}

const DIGITS = /^\d+$/;

/** The last dash-separated part of a machine type name (`split(sep="-").slice(-1:)`). */
function lastPartOf(machineType: string): string {
  return machineType.slice(machineType.lastIndexOf('-') + 1);
}

/**
 * Whether install_asm's gcloud filter keeps a pool of this machine type: a numeric last part
 * compares as a number, any other as text (Python's string order, which for these characters is
 * JavaScript's). A pool without a machine type compares '' and is left out.
 */
export function installAsmFilterKeeps(machineType: string | undefined): boolean {
  if (machineType === undefined || machineType === '') return false;
  const last = lastPartOf(machineType);
  if (DIGITS.test(last)) return Number(last) >= INSTALL_ASM_MACHINE_MINIMUM;
  return last >= String(INSTALL_ASM_MACHINE_MINIMUM);
}

/** The number install_asm reads as a machine type's vCPUs: its last part, when that is a number. */
export function installAsmVcpus(machineType: string): number | undefined {
  const lastPart = lastPartOf(machineType);
  return DIGITS.test(lastPart) ? Number(lastPart) : undefined;
}

/** What jq reads of one kept pool. */
export function readPool(pool: NodePool): InstallAsmPoolReading {
  const machineType = pool.machineType ?? '';
  const lastPart = lastPartOf(machineType);
  const lastNumber = installAsmVcpus(machineType);
  // jq's `if .autoscaling.enabled`: only true selects the maximum (gcloud prints a boolean).
  const autoscaled = pool.autoscaling?.enabled === true;
  const count = autoscaled ? pool.autoscaling?.maxNodeCount : pool.initialNodeCount;
  return {
    pool,
    machineType,
    lastPart,
    lastNumber,
    countField: autoscaled ? 'autoscaling.maxNodeCount' : 'initialNodeCount',
    count,
    product: count === undefined || lastNumber === undefined ? undefined : count * lastNumber,
  };
}

/** What `validate_node_pool` of that release would conclude about these pools. */
export function predictValidateNodePool(
  pools: readonly NodePool[],
  release: InstallAsmRelease,
): ValidateNodePoolPrediction {
  const kept = pools.filter((pool) => installAsmFilterKeeps(pool.machineType)).map(readPool);
  const failedAt = kept.find((reading) => reading.product === undefined);
  const printed = kept
    .slice(0, failedAt ? kept.indexOf(failedAt) : kept.length)
    .map((reading) => reading.product as number);
  if (release === 'asm-1.6') {
    const counted = printed.length === 1 ? printed[0] : undefined;
    const passes = !failedAt && counted !== undefined && counted >= INSTALL_ASM_TOTAL_MINIMUM;
    return { release, kept, printed, failedAt, counted, verdict: passes ? 'passes' : 'refuses' };
  }
  const counted = Math.max(0, ...printed);
  return {
    release,
    kept,
    printed,
    failedAt,
    counted,
    verdict: counted >= INSTALL_ASM_TOTAL_MINIMUM ? 'passes' : 'warns',
  };
}

/** One pool as install_asm reads it: `default-pool: autoscaling.maxNodeCount 4 x 4 = 16`. */
export function describeReading(reading: InstallAsmPoolReading): string {
  const name = reading.pool.name;
  if (reading.lastNumber === undefined) {
    return `${name}: "${reading.lastPart}", the end of ${reading.machineType}, is no number, so jq stops there`;
  }
  if (reading.count === undefined) {
    const absent =
      reading.countField === 'initialNodeCount'
        ? 'no initialNodeCount (the API leaves 0 out)'
        : 'autoscaling without maxNodeCount (only a total limit)';
    return `${name}: ${absent}, so jq stops there`;
  }
  return `${name}: ${reading.countField} ${reading.count} x ${reading.lastNumber} = ${reading.product}`;
}

/** Why the prediction is what it is, in a sentence fit to follow "install_asm 1.x would ...". */
export function describePrediction(prediction: ValidateNodePoolPrediction): string {
  const { kept, printed, failedAt } = prediction;
  if (kept.length === 0) {
    return `no node pool has a machine type whose name ends in a number of at least ${INSTALL_ASM_MACHINE_MINIMUM}, so it counts nothing`;
  }
  const readings = kept.map(describeReading).join('; ');
  if (prediction.release === 'asm-1.6') {
    if (failedAt) return `it reads ${readings}; a jq error ends install_asm 1.6 (set -e)`;
    if (printed.length > 1) {
      return (
        `it reads ${readings}, and compares that whole list as one number, which bash rejects: ` +
        'it refuses whenever two or more pools qualify'
      );
    }
    return `it reads ${readings}, needing at least ${INSTALL_ASM_TOTAL_MINIMUM}`;
  }
  return `it takes the largest of ${readings}, needing at least ${INSTALL_ASM_TOTAL_MINIMUM}`;
}
