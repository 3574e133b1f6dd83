/** Limits that keep a review bounded on hostile input [REV-103]. */
export interface ReviewLimits {
  /** Files larger than this (bytes) are not parsed. Default 5 MiB, above every package size limit. */
  maxFileBytes: number;
  /** Wall-clock budget for the whole package, in milliseconds. Default 30 s. */
  timeBudgetMs: number;
  /** Clock used for the budget; replaceable in tests. */
  now: () => number;
}

export const defaultReviewLimits: ReviewLimits = {
  maxFileBytes: 5 * 1024 * 1024,
  timeBudgetMs: 30_000,
  now: () => performance.now(),
};

/** Thrown inside a file's analysis when the package's time budget runs out. */
export class ReviewBudgetExceeded extends Error {
  constructor() {
    super('review time budget exceeded');
    this.name = 'ReviewBudgetExceeded';
  }
}

/** Counts work and throws {@link ReviewBudgetExceeded} once the deadline has passed. */
export class ReviewDeadline {
  private ticks = 0;

  constructor(
    private readonly deadline: number,
    private readonly now: () => number,
  ) {}

  expired(): boolean {
    return this.now() > this.deadline;
  }

  /** Cheap enough to call per AST node: reads the clock once every 1024 calls. */
  tick(): void {
    this.ticks += 1;
    if ((this.ticks & 1023) === 0 && this.expired()) throw new ReviewBudgetExceeded();
  }
}
