/**
 * Redocly plugin for the distribution API.
 * The JSON Schemas that openapi.yaml reuses carry an absolute `$id`, which Ajv 2020 needs for the repository's registry.
 * Redocly resolves `$ref` by file path instead, so an `$id` would send its example validator to an unknown base URI;
 * this preprocessor drops `$id` from the resolved tree before the rules run, leaving the files untouched.
 */
export default function openMiniAppPlugin() {
  return {
    id: 'openminiapp',
    preprocessors: {
      oas3: {
        'strip-schema-ids': () => ({
          Schema: {
            leave(schema) {
              if (schema && typeof schema === 'object') delete schema.$id;
            },
          },
        }),
      },
    },
  };
}
