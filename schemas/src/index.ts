/** Public surface of the contracts: schemas, their validators and the registries generated from them. */
export {
  createSchemaValidator,
  schemaValidator,
  validatorFor,
  schemasRoot,
  schemaBaseUri,
  type SchemaValidatorOptions,
} from './schema-registry.ts';
export type { ErrorObject, ValidateFunction } from './schema-registry.ts';
export { errorCodes, errorCodeList, type ErrorCode } from '../generated/errors/error-codes.ts';
export {
  bridgeMethodRegistry,
  bridgeMethod,
  type BridgeMethodRegistry,
  type BridgeMethodEntry,
  type BridgeEventEntry,
} from './bridge-registry.ts';
export {
  distributionContract,
  createContractValidator,
  componentsSchemaId,
  type ContractOperation,
  type OperationParameter,
  type DistributionContract,
} from './distribution-contract.ts';
export {
  commentsOnTheWay,
  errorCodeKeyword,
  errorCodeOf,
  resolveSchemaUri,
  type SchemaPlace,
} from './schema-trail.ts';
