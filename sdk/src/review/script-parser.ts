import { parse, type Options } from 'acorn';
import type * as ESTree from 'estree';
import { diagnostic, type Diagnostic } from '#sdk/diagnostics/index.ts';
import { describeLocation, locate, type ScriptUnit } from './script-unit.ts';

/** A unit that parsed, with the goal it parsed under (scope analysis depends on it). */
export interface ParsedScript {
  program: ESTree.Program;
  sourceType: 'module' | 'script';
}

interface AcornSyntaxError extends SyntaxError {
  pos: number;
  loc: { line: number; column: number };
}

function isAcornSyntaxError(error: unknown): error is AcornSyntaxError {
  return (
    error instanceof SyntaxError &&
    typeof (error as Partial<AcornSyntaxError>).pos === 'number' &&
    typeof (error as Partial<AcornSyntaxError>).loc?.line === 'number'
  );
}

function isModuleDeclaration(node: ESTree.Node): boolean {
  return node.type.startsWith('Import') || node.type.startsWith('Export');
}

/** One parse under one goal: the program, or the syntax error acorn raised. */
function attempt(
  unit: ScriptUnit,
  sourceType: 'module' | 'script',
): ParsedScript | AcornSyntaxError {
  const options: Options = {
    ecmaVersion: 'latest',
    sourceType,
    locations: true,
    // eslint-scope reads `range` on function bodies.
    ranges: true,
    allowHashBang: true,
    allowReturnOutsideFunction: unit.handler === true,
  };
  try {
    // acorn's node types are ESTree-compatible; @types/estree is the richer description of them.
    const program = parse(unit.text, options) as unknown as ESTree.Program;
    return { program, sourceType };
  } catch (error) {
    if (!isAcornSyntaxError(error)) throw error;
    // acorn turns stack exhaustion into a SyntaxError; it is a review limit, not bad syntax.
    if (error.message.startsWith('Not enough stack space')) {
      throw new RangeError(error.message, { cause: error });
    }
    return error;
  }
}

/**
 * Parses a unit as its goal says; `either` tries a module first and falls back to a classic script.
 * A syntax error becomes a diagnostic at the file position that caused it [REV-101]; when both goals
 * fail, the error of the attempt that got further is reported.
 * Stack exhaustion on absurdly nested input is thrown as a RangeError: a review limit for the caller.
 */
export function parseScript(unit: ScriptUnit): ParsedScript | Diagnostic {
  const primary = attempt(unit, unit.goal === 'script' ? 'script' : 'module');
  if (!(primary instanceof SyntaxError)) {
    // A .js file without import/export may well be loaded as a classic script, whose top-level
    // names live on the global object; analysing it that way is the cautious reading.
    if (unit.goal === 'either' && !primary.program.body.some(isModuleDeclaration)) {
      return { program: primary.program, sourceType: 'script' };
    }
    return primary;
  }
  let furthest = primary;
  if (unit.goal === 'either') {
    const fallback = attempt(unit, 'script');
    if (!(fallback instanceof SyntaxError)) return fallback;
    if (fallback.pos >= primary.pos) furthest = fallback;
  }
  const location = locate(unit, furthest.loc);
  const reason = furthest.message.replace(/\s*\(\d+:\d+\)$/, '');
  return diagnostic(
    'CODE_SYNTAX_ERROR',
    `${describeLocation(location)}: not valid JavaScript: ${reason}.`,
    {
      location,
      fix: 'Fix the syntax error (run the file through your bundler or `node --check`).',
    },
  );
}
