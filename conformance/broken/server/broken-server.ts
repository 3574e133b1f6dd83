import type { RewriteRules } from './rewriting-proxy.ts';

/** A change to one file of a copy of the reference server or the sdk it runs on: `find` must occur exactly once. */
export interface SourcePatch {
  /** Path from the repository root, below reference-server/ or sdk/. */
  file: string;
  find: string;
  replace: string;
}

/** One deliberately broken server: one MUST broken the way a real implementer could. */
export interface BrokenServer {
  name: string;
  /** The requirement it violates; the suite must fail a case that cites it. */
  violates: string;
  /** The cases to certify it with (--only patterns, comma-separated). */
  only: string;
  /** How a real implementer ends up here. */
  story: string;
  /** A wrapper: a proxy in front of the reference server that rewrites one behaviour. */
  rules?: RewriteRules;
  /** Or a patch applied to a temporary copy of the reference server (and the sdk it imports). */
  patches?: SourcePatch[];
  /** Other forms of the same patch, for other layouts of the code; the first that applies is used. */
  alternatives?: SourcePatch[][];
  /** It can only be caught with several partners or users, created through the admin principal routes. */
  needsPrincipals?: boolean;
}
