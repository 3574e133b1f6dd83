import type { ConformanceCase } from '../../framework/index.ts';
import type { ServerSubject } from '../subject/server-subject.ts';
import { bundleCases } from './bundles.ts';
import { operationsCases } from './operations.ts';
import { portalCases } from './portal.ts';
import { trustCases } from './trust.ts';
import { uploadCases } from './upload.ts';
import { reviewCases } from './review.ts';
import { releaseCases } from './releases.ts';
import { updateCases } from './updates.ts';
import { authorizationCases } from './authorization.ts';
import { cachingCases } from './caching.ts';
import { errorCases } from './errors.ts';
import { catalogCases } from './catalog.ts';
import { commerceCases } from './commerce.ts';
import { analyticsCases } from './analytics.ts';
import { hostilePackageCases } from './hostile-packages.ts';
import { contractCases } from './contract.ts';
import { reviewRuleCases } from './review-rules.ts';
import { landingCases } from './landing-pages.ts';
import { budgetCases } from './budgets.ts';
import { prismCases } from './prism.ts';
import { principalCases } from './principals.ts';
import { auditCases } from './audit.ts';
import { inputPropertyCases } from './input-properties.ts';
import { hostileRequestCases } from './hostile-requests.ts';
import { trustSnapshotCases } from './trust-snapshots.ts';
import { deviceIdCases } from './device-ids.ts';
import { requestHandlingCases } from './request-handling.ts';

/** Every case of the server suite, in the order they run; the cross-cutting cases that judge all traffic come last. */
export const serverCases: ConformanceCase<ServerSubject>[] = [
  ...operationsCases,
  ...principalCases,
  ...trustCases,
  ...trustSnapshotCases,
  ...bundleCases,
  ...portalCases,
  ...uploadCases,
  ...hostilePackageCases,
  ...reviewCases,
  ...reviewRuleCases,
  ...releaseCases,
  ...auditCases,
  ...updateCases,
  ...authorizationCases,
  ...cachingCases,
  ...catalogCases,
  ...commerceCases,
  ...analyticsCases,
  ...deviceIdCases,
  ...landingCases,
  ...budgetCases,
  ...inputPropertyCases,
  ...hostileRequestCases,
  ...requestHandlingCases,
  ...contractCases,
  ...errorCases,
  ...prismCases,
];
