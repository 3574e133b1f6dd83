import path from 'node:path';
import { parseSpec } from '../spec-document.ts';
import { doNotEditJson, type Generator } from './generator.ts';

/** spec/generated/requirements.json: the index of every requirement id. */
const generator: Generator = {
  name: 'requirements index',
  order: 10,
  async run(root) {
    const { requirements } = await parseSpec(path.join(root, 'spec'));
    const index = {
      $comment: doNotEditJson('spec/*.md'),
      count: requirements.length,
      requirements,
    };
    return [
      { path: 'spec/generated/requirements.json', content: `${JSON.stringify(index, null, 2)}\n` },
    ];
  },
};
export default generator;
