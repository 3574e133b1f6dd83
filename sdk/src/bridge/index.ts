/** Public surface of the bridge SDK: the mini-app client, its transports and the mock host. */
export { MiniAppBridge, defaultCallTimeoutMs } from './client.ts';
export type { CallOptions, EventHandler, MiniAppBridgeOptions } from './client.ts';
export { connect } from './connect.ts';
export type { BridgeGlobal, ConnectOptions } from './connect.ts';
export { BridgeError, isBridgeError } from './bridge-error.ts';
export type { BridgeErrorObject } from './bridge-error.ts';
export {
  parseMessage,
  encodeEnvelope,
  bridgeMarker,
  protocolVersion,
  maxMessageBytes,
  requestIdPattern,
} from './envelope.ts';
export type {
  BridgeEnvelope,
  BridgeEvent,
  BridgeInit,
  BridgeRequest,
  BridgeResponse,
  ParsedMessage,
} from './envelope.ts';
export {
  portTransport,
  webkitTransport,
  androidTransport,
  nativeDispatchName,
} from './transport.ts';
export type { BridgeTransport, WebKitMessageHandler, AndroidNativeObject } from './transport.ts';
export { createMockBridge } from './mock-bridge.ts';
export type { MockBridge, MockBridgeOptions, MockManifest, PromptDecision } from './mock-bridge.ts';
export { defaultMockHandlers, implementedMethods } from './mock-handlers.ts';
export type {
  MockCallContext,
  MockHandler,
  MockHandlers,
  PermissionState,
} from './mock-handlers.ts';
export { MockStorage, storageLimits } from './mock-storage.ts';
export type { StorageNamespace } from './mock-storage.ts';
export { createMethodValidator } from './method-validator.ts';
export type { MethodValidator, SchemaCheck } from './method-validator.ts';
export { compareHostApiVersions, parseHostApiVersion } from './host-api-version.ts';
export { canonicalOrigin, isAllowedOrigin } from './allowed-origin.ts';
