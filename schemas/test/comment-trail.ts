/** The examples harness reads the same trail as errorCodeOf (schemas/src/schema-trail.ts). */
export { commentsOnTheWay, resolveSchemaUri } from '#schemas';
