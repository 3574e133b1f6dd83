import type { Location } from '#sdk/diagnostics/index.ts';

/** How a piece of code is to be parsed: as a module, as a classic script, or whichever succeeds. */
export type ScriptGoal = 'module' | 'script' | 'either';

/**
 * One piece of JavaScript to review: a whole file, an inline `<script>` or an event-handler
 * attribute. `origin` is where its first character sits in `file` (1-based line and column), so
 * positions inside the snippet map back to the file the partner edits.
 */
export interface ScriptUnit {
  file: string;
  text: string;
  goal: ScriptGoal;
  origin: { line: number; column: number };
  /** Event-handler bodies may `return`; they are parsed as function bodies. */
  handler?: boolean;
}

/** Maps an acorn position (1-based line, 0-based column) inside a unit to a 1-based file location. */
export function locate(unit: ScriptUnit, position: { line: number; column: number }): Location {
  if (position.line === 1) {
    return {
      file: unit.file,
      line: unit.origin.line,
      column: unit.origin.column + position.column,
    };
  }
  return {
    file: unit.file,
    line: unit.origin.line + position.line - 1,
    column: position.column + 1,
  };
}

/** Formats a location for messages: `pages/index.js:3:14`. */
export function describeLocation(location: Location): string {
  return `${location.file ?? '?'}:${location.line ?? '?'}:${location.column ?? '?'}`;
}
