import { MiniAppError } from '../diagnostics/index.ts';
import { parseManifest, type Manifest } from '../manifest/index.ts';
import { openArchiveSource } from '../package/index.ts';
import { inputBounds, readInputFile } from './cli-file.ts';

/** A .ma package read for signing or verification: its exact bytes, its manifest bytes and the parsed manifest. */
export interface PackageFileContents {
  bytes: Uint8Array;
  manifestBytes: Uint8Array;
  manifest: Manifest;
}

/** Reads and opens a package; the manifest is decoded strictly (UTF-8, no BOM) by the manifest parser [MAN-002]. */
export async function readPackageFile(file: string): Promise<PackageFileContents> {
  const bytes = await readInputFile(file, inputBounds.package);
  // Opening the archive applies every package rule (paths, limits, bombs) before anything is trusted.
  const source = await openArchiveSource(bytes);
  if (!source.files.some((f) => f.path === 'manifest.json')) {
    throw new MiniAppError('MANIFEST_MISSING', `${file} has no manifest.json at its root`, {
      location: { file },
    });
  }
  const manifestBytes = await source.read('manifest.json');
  const parsed = parseManifest(manifestBytes, 'manifest.json');
  const first = parsed.diagnostics.find((d) => d.severity === 'error');
  if (!parsed.manifest || first) {
    throw new MiniAppError(
      first?.code ?? 'MANIFEST_MISSING',
      `the package's manifest is invalid: ${first?.message ?? 'unreadable'}`,
      {
        location: first?.location ?? { file: 'manifest.json' },
        fix: 'run `miniapp validate` on the package and fix what it reports',
      },
    );
  }
  return { bytes, manifestBytes, manifest: parsed.manifest };
}
