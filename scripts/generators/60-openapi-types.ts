import path from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import openapiTS, { astToString } from 'openapi-typescript';
import { doNotEditTs, type Generator } from './generator.ts';

const source = 'schemas/distribution/openapi.yaml';

/**
 * openapi-typescript renders a JSON Schema's `$defs` as a required member of the object type, although
 * `$defs` never appears in instances; the definitions it holds are already emitted under components.
 */
const withoutDefsMembers: ts.TransformerFactory<ts.Node> = (context) => {
  const visit = (node: ts.Node): ts.Node | undefined => {
    if (
      ts.isPropertySignature(node) &&
      (ts.isIdentifier(node.name) || ts.isStringLiteral(node.name)) &&
      node.name.text === '$defs'
    ) {
      return undefined;
    }
    return ts.visitEachChild(node, visit, context);
  };
  return (root) => ts.visitNode(root, visit) ?? root;
};

/** TypeScript types of every route, body and header of the distribution API (spec/distribution.md). */
const generator: Generator = {
  name: 'openapi types',
  order: 60,
  async run(root) {
    const ast = await openapiTS(pathToFileURL(path.join(root, source)), { alphabetize: true });
    const result = ts.transform(ast, [withoutDefsMembers]);
    const cleaned = result.transformed;
    result.dispose();
    return [
      {
        path: 'schemas/generated/distribution/openapi.ts',
        content: `${doNotEditTs(source)}${astToString(cleaned)}`,
      },
    ];
  },
};
export default generator;
