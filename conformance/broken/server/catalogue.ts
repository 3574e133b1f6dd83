import { accountBreaks } from './accounts.ts';
import { analyticsMetricBreaks } from './analytics-metrics.ts';
import type { BrokenServer } from './broken-server.ts';
import { contractBreaks } from './contract-breaks.ts';
import { deliveryBreaks } from './delivery.ts';
import { errorAndAuthBreaks } from './errors-and-auth.ts';
import { hostBreaks } from './hosts.ts';
import { httpEdgeBreaks } from './http-edges.ts';
import { publishingBreaks } from './publishing.ts';
import { paymentRecordBreaks } from './payment-records.ts';
import { patchedBreaks } from './source-patches.ts';
import { signedMetadataBreaks } from './signed-metadata.ts';
import { snapshotBreaks } from './snapshots.ts';

/** Every deliberately broken server the server suite must fail, each naming the requirement it breaks. */
export const brokenServers: BrokenServer[] = [
  ...errorAndAuthBreaks,
  ...deliveryBreaks,
  ...publishingBreaks,
  ...hostBreaks,
  ...contractBreaks,
  ...httpEdgeBreaks,
  ...snapshotBreaks,
  ...patchedBreaks,
  ...signedMetadataBreaks,
  ...analyticsMetricBreaks,
  ...paymentRecordBreaks,
  ...accountBreaks,
];
