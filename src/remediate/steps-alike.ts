/**
 * How remediate.sh writes many steps alike (issue #25: the script at L was 4.2 MiB, one function
 * per namespace move): steps whose script text differs only in the values it quotes share one
 * function, whose parameters are those values, and each step is one line of data in its phase: a
 * call with its own values (and, above it, the comment lines that are its own). The values stay
 * words quoted by `shq`, read by bash itself: no parser, no `eval`.
 *
 * It changes only how the script is written. Each call prints and runs what the step's own
 * function printed and ran: the same helpers (`step`, `run`, `precondition`, …) receive the same
 * words, so the dry run, the report's commands and every request are the same (a test renders
 * reports both ways and compares the dry runs and the requests).
 */

import { hasInvisible } from '../text/printable.ts';

/**
 * A value a function of steps alike receives: its positional parameter, between a prefix and a
 * suffix every one of those steps has (`namespace NS selects …`: the namespace is a parameter
 * already, the words around it are the function's).
 */
export class Parameter {
  readonly position: number;
  readonly prefix: string;
  readonly suffix: string;
  constructor(position: number, prefix = '', suffix = '') {
    this.position = position;
    this.prefix = prefix;
    this.suffix = suffix;
  }
  /** The value as one bash word: the parameter in double quotes, the text around it inert. */
  get reference(): string {
    return `"${inert(this.prefix)}\${${this.position}}${inert(this.suffix)}"`;
  }
}

/** Text inside double quotes, as itself: no expansion, no end of the quotes. */
function inert(text: string): string {
  return text.replace(/[\\"$`]/g, '\\$&');
}

/** A step as the script writes it (the view templates/remediate/step.hbs renders). */
export interface StepView {
  readonly rules: string;
  readonly resource: string;
  readonly title: string;
  /** A title many steps share is a variable (an identifier): part of a step's shape. */
  readonly titleVariable: string;
  readonly lines: readonly Readonly<Record<string, unknown>>[];
  /** Whether the step can stop its phase (the phase checks after it). */
  readonly halts: boolean;
}

/** A function of steps alike: a step view whose varying values are parameters. */
export interface AlikeFunction {
  readonly functionName: string;
  readonly step: StepView;
  /** How many steps call it. */
  readonly calls: number;
  /** What each parameter is, in order. */
  readonly parameters: readonly string[];
}

/** A step of a phase: its own function, or one call of a function of steps alike. */
export type PhaseEntry =
  | { readonly kind: 'function'; readonly functionName: string; readonly step: StepView }
  | {
      readonly kind: 'call';
      readonly functionName: string;
      readonly values: readonly string[];
      /** Its own comment lines (a comment of steps alike that differs between them). */
      readonly comments: readonly string[];
      readonly halts: boolean;
    };

/** Keys whose values are printed as identifiers (`ident`): the same in every step of a shape. */
const IDENTIFIER_KEYS: ReadonlySet<string> = new Set(['fn', 'titleVariable']);
/** The key of a comment line: a comment is never a parameter (bash would not print it). */
const COMMENT_KEY = 'commentText';

/** A comment slot that differs between steps alike: left out of their function. */
class Moved {}

/** A value the template quotes, where it is in the step (for the parameter's description). */
interface Slot {
  readonly value: string;
  readonly path: string;
  readonly comment: boolean;
}

/**
 * A step's shape (its structure with the values it quotes left out; an empty value is part of the
 * shape, since the template leaves out a line whose value is empty) and those values, in order.
 */
function shapeOf(step: StepView): { key: string; slots: Slot[] } {
  const slots: Slot[] = [];
  const walk = (value: unknown, path: string, key: string): unknown => {
    if (typeof value === 'string') {
      if (IDENTIFIER_KEYS.has(key) || value === '') return value;
      slots.push({ value, path, comment: key === COMMENT_KEY });
      return null;
    }
    if (Array.isArray(value)) return value.map((item, index) => walk(item, `${path}[${index}]`, key));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(
        Object.entries(value).map(([name, item]) => [
          name,
          walk(item, path ? `${path}.${name}` : name, name),
        ]),
      );
    }
    return value;
  };
  const structure = walk(
    { rules: step.rules, resource: step.resource, title: step.title, lines: step.lines },
    '',
    '',
  );
  return { key: JSON.stringify([structure, step.titleVariable, step.halts]), slots };
}

/** The step with each of its slots, in order, replaced by `replace(slot index, value)`. */
function replaceSlots(step: StepView, replace: (index: number, value: string) => unknown): StepView {
  let index = 0;
  const walk = (value: unknown, key: string): unknown => {
    if (typeof value === 'string') {
      if (IDENTIFIER_KEYS.has(key) || value === '') return value;
      const replaced = replace(index, value);
      index += 1;
      return replaced;
    }
    if (Array.isArray(value)) return value.map((item) => walk(item, key));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, walk(item, name)]));
    }
    return value;
  };
  const replaced = walk(
    { rules: step.rules, resource: step.resource, title: step.title, lines: step.lines },
    '',
  ) as Pick<StepView, 'rules' | 'resource' | 'title' | 'lines'>;
  // A comment that differs between the steps is theirs: written above each call, not in the function.
  const lines = replaced.lines.filter((line) => !(line[COMMENT_KEY] instanceof Moved));
  return { ...step, ...replaced, lines };
}

/** One step of a group of steps alike: its view and the values it quotes. */
interface Member {
  readonly step: StepView;
  readonly slots: readonly Slot[];
}

function slotValue(member: Member, slot: number): string {
  return (member.slots[slot] as Slot).value;
}

/**
 * A slot (of `candidates`) whose value, in every member, is slot `index`'s value but for a prefix
 * and a suffix all members share; undefined when there is none. The text around it must be plain:
 * a character the script writes as an escape stays in a quoted value of its own.
 */
function surrounding(
  members: readonly Member[],
  candidates: readonly number[],
  index: number,
): { slot: number; prefix: string; suffix: string } | undefined {
  const whole = slotValue(members[0] as Member, index);
  for (const slot of candidates) {
    const part = slotValue(members[0] as Member, slot);
    if (part === '') continue;
    for (let at = whole.indexOf(part); at >= 0; at = whole.indexOf(part, at + 1)) {
      const prefix = whole.slice(0, at);
      const suffix = whole.slice(at + part.length);
      if (hasInvisible(prefix + suffix)) continue;
      if (members.every((member) => slotValue(member, index) === prefix + slotValue(member, slot) + suffix)) {
        return { slot, prefix, suffix };
      }
    }
  }
  return undefined;
}

/**
 * The function of a group of steps alike: each slot whose value differs between them is a
 * parameter, or an earlier parameter with fixed text around it; a comment that differs stays with
 * each step. Shorter values become parameters first, so that a message naming the namespace
 * (`namespace NS selects …`) is written around the namespace's parameter.
 */
function alikeFunction(
  members: readonly Member[],
  functionName: string,
): { fn: AlikeFunction; parameters: number[]; comments: number[] } {
  const first = members[0] as Member;
  const differing = first.slots
    .map((_, index) => index)
    .filter((index) => members.some((member) => slotValue(member, index) !== slotValue(first, index)));
  const comments = differing.filter((index) => (first.slots[index] as Slot).comment);
  const values = differing
    .filter((index) => !(first.slots[index] as Slot).comment)
    .sort((a, b) => slotValue(first, a).length - slotValue(first, b).length || a - b);
  const own: number[] = [];
  const around = new Map<number, { slot: number; prefix: string; suffix: string }>();
  for (const index of values) {
    const found = surrounding(members, own, index);
    if (found) around.set(index, found);
    else own.push(index);
  }
  // Parameters numbered in the order their values appear in the step.
  const parameters = [...own].sort((a, b) => a - b);
  const positions = new Map(parameters.map((index, at) => [index, new Parameter(at + 1)]));
  for (const [index, { slot, prefix, suffix }] of around) {
    positions.set(index, new Parameter((positions.get(slot) as Parameter).position, prefix, suffix));
  }
  const step = replaceSlots(first.step, (index, value) =>
    comments.includes(index) ? new Moved() : (positions.get(index) ?? value),
  );
  return {
    fn: {
      functionName,
      step,
      calls: members.length,
      parameters: parameters.map((index) => (first.slots[index] as Slot).path),
    },
    parameters,
    comments,
  };
}

/**
 * The steps of every phase, in order: steps that share a shape with at least `minimum` - 1 others
 * (anywhere in the script) become calls of one function; the others keep their own function,
 * numbered `step_1`, `step_2`, … in order.
 */
export function layoutSteps(
  phases: readonly (readonly StepView[])[],
  minimum: number,
): { phases: PhaseEntry[][]; alike: AlikeFunction[] } {
  const shaped = phases.map((steps) => steps.map((step) => ({ step, ...shapeOf(step) })));
  const groups = new Map<string, Member[]>();
  for (const { step, key, slots } of shaped.flat()) {
    const group = groups.get(key);
    if (group) group.push({ step, slots });
    else groups.set(key, [{ step, slots }]);
  }
  const alike = new Map<string, ReturnType<typeof alikeFunction>>();
  for (const [key, members] of groups) {
    if (members.length >= minimum) alike.set(key, alikeFunction(members, `steps_alike_${alike.size + 1}`));
  }
  let number = 0;
  const entries = shaped.map((steps) =>
    steps.map(({ step, key, slots }): PhaseEntry => {
      const shared = alike.get(key);
      if (!shared) {
        number += 1;
        return { kind: 'function', functionName: `step_${number}`, step };
      }
      return {
        kind: 'call',
        functionName: shared.fn.functionName,
        values: shared.parameters.map((index) => (slots[index] as Slot).value),
        comments: shared.comments.map((index) => (slots[index] as Slot).value),
        halts: step.halts,
      };
    }),
  );
  return { phases: entries, alike: [...alike.values()].map((shared) => shared.fn) };
}
