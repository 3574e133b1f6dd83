import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { previewCommand } from '../../cli/preview-command.ts';
import { main } from '../../cli/main.ts';
import path from 'node:path';

function sink(): { text: string; write(chunk: string): void } {
  return {
    text: '',
    write(chunk) {
      this.text += chunk;
    },
  };
}

const examples = path.resolve(import.meta.dirname, '../../../../examples');

describe('miniapp preview command', () => {
  it('lists preview in the general help', async () => {
    const stdout = sink();
    assert.equal(await main(['--help'], { stdout, stderr: sink() }), 0);
    assert.match(stdout.text, new RegExp(`^  ${previewCommand.name}\\s`, 'm'));
  });

  it('exits 1 and lists manifest findings for an invalid app, before listening', async () => {
    const stderr = sink();
    const stdout = sink();
    const code = await main(['preview', path.join(examples, 'notes', 'pages')], { stdout, stderr });
    assert.equal(code, 1);
    assert.match(stderr.text, /PKG_MANIFEST_MISSING|MANIFEST_MISSING/);
    assert.doesNotMatch(stdout.text, /Open:/);
  });

  it('exits 2 naming USAGE when the directory is missing', async () => {
    const stderr = sink();
    const code = await main(['preview', '/nonexistent/app'], { stdout: sink(), stderr });
    assert.equal(code, 2);
    assert.match(stderr.text, /\[USAGE,/);
  });

  it('exits 1 naming VERSION_HOST_TOO_OLD when the emulated host is too old', async () => {
    const stderr = sink();
    const code = await main(['preview', path.join(examples, 'notes'), '--host-api', '1.0.0'], {
      stdout: sink(),
      stderr,
    });
    assert.equal(code, 1);
    assert.match(stderr.text, /VERSION_HOST_TOO_OLD/);
  });

  it('exits 2 for a port that is not a number', async () => {
    const code = await main(['preview', path.join(examples, 'shop'), '--port', 'http'], {
      stdout: sink(),
      stderr: sink(),
    });
    assert.equal(code, 2);
  });
});
