/**
 * The remediation code's name for the shared sanitiser (src/text/printable.ts), kept so that
 * plan.ts and script.ts read as before.
 */
export { commentLine, printable } from '../text/printable.ts';
