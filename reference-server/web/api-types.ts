import type { components } from '#schemas/generated/distribution/openapi.ts';

/** The contract's types, as the generated OpenAPI types name them (type-only: erased from the bundles). */
type Schemas = components['schemas'];
export type App = Schemas['App'];
export type AppPage = Schemas['AppPage'];
export type Version = Schemas['Version'];
export type VersionPage = Schemas['VersionPage'];
export type Release = Schemas['Release'];
export type ReleasePage = Schemas['ReleasePage'];
export type ReviewReport = Schemas['report.schema'];
export type Finding = Schemas['finding'];
export type AnalyticsSummary = Schemas['AnalyticsSummary'];
export type PartnerKey = Schemas['PartnerKey'];
export type PartnerKeyList = Schemas['PartnerKeyList'];
export type ApiKeyList = Schemas['ApiKeyList'];
export type ApiKeyCreated = Schemas['ApiKeyCreated'];
export type Partner = Schemas['Partner'];
export type PartnerPage = Schemas['PartnerPage'];
export type ReviewQueuePage = Schemas['ReviewQueuePage'];
export type Revocation = Schemas['Revocation'];
