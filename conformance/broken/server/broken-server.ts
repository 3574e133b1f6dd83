import type { RewriteRules } from './rewriting-proxy.ts';

/** A change to one file of a copy of the reference server: `find` must occur exactly once. */
export interface SourcePatch {
  /** Path below reference-server/. */
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
  /** Or a patch applied to a temporary copy of the reference server. */
  patches?: SourcePatch[];
  /** It can only be caught with several partners or users, created through the admin principal routes. */
  needsPrincipals?: boolean;
}
