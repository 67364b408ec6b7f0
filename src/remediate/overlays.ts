/**
 * The install_asm `--custom_overlay` files a report asks for (install-asm-preconditions): written
 * by `meshready scan` next to the reports, and named by the script's install step. Taken from the
 * findings' fix data, like every other remediation, and checked again here: a file name is a plain
 * name in the output directory, never a path.
 */

import type { Report } from '../engine/report-model.ts';
import { FIX_ACTIONS } from './actions/index.ts';

export interface OverlayFile {
  readonly file: string;
  readonly text: string;
}

export function customOverlays(report: Report): OverlayFile[] {
  const files = new Map<string, string>();
  for (const result of report.results) {
    for (const finding of result.findings) {
      if (finding.suppressed || finding.fix?.action !== 'write-custom-overlay') continue;
      const parsed = FIX_ACTIONS['write-custom-overlay'].params.safeParse(finding.fix.params);
      if (parsed.success && !files.has(parsed.data.file)) files.set(parsed.data.file, parsed.data.overlay);
    }
  }
  return [...files].map(([file, text]) => ({ file, text }));
}
