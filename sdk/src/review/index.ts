/** Static review of mini-app code for `miniapp validate` and the server's automated review (RULES.md). */
export { analyzeSource } from './code-review.ts';
export type { CodeReview, ReviewedManifest, UsedMethod } from './code-review.ts';
export type { RegisteredMethod } from './script-inspector.ts';
export { defaultReviewLimits } from './review-limits.ts';
export type { ReviewLimits } from './review-limits.ts';
