// The core's public entry: adapters, backends, stores and the composition root import from here only.
export * from './types.js';
export * from './errors.js';
export * from './records.js';
export * from './reply.js';
export { createHandler, type Handler, type Outsider, type RecoverySummary } from './handler.js';
export { DEFAULT_SETTINGS, type CoreDeps, type CoreSettings, type HandlerDeps } from './deps.js';
export { platformSupportSchema, supportFor, findPlatformRow, type PlatformSupport, type PlatformRow, type Support } from './platform-support.js';
export { policySchema, DEFAULT_POLICY, memberMatches, peopleSelectors, policyGroupIdsOf, type Policy } from './policy.js';
export { samePerson } from './approval-policy.js';
export { PolicyHolder, policySourceOf, derived, type PolicySource } from './policy-source.js';
export { parseCommand, MAX_QUERY_LENGTH, MAX_INPUT_LENGTH } from './commands.js';
export { decodeButton, encodeButton, type ButtonAction } from './buttons.js';
export { outsiderReply } from './replies.js';
export { ACTION_WORDS, actionTitle } from './action-words.js';
export { locationSecret, type DeviceLocation } from './location.js';
export { pauseSentence, type PauseView } from './pause.js';
