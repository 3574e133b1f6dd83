/** Thrown when a case cannot apply to this server or run (never a pass); the case wrapper turns it into a skip. */
export class CaseSkip extends Error {
  override name = 'CaseSkip';
}
