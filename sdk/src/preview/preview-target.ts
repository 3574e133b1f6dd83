import { hostApiVersions } from '#schemas/generated/bridge/methods.ts';
import { diagnostic, MiniAppError, type Diagnostic } from '../diagnostics/index.ts';
import { readManifest, type Manifest } from '../manifest/index.ts';
import { openDirectorySource } from '../package/index.ts';
import { hostSatisfies, parseHostApiVersion } from '../versioning/index.ts';

/** The newest host API version of this specification, which the preview emulates by default. */
export const newestHostApiVersion: string = hostApiVersions[hostApiVersions.length - 1] ?? '1.0.0';

/** A mini-app directory checked for preview: its manifest when usable, and every finding. */
export interface PreviewTarget {
  manifest?: Manifest;
  diagnostics: Diagnostic[];
}

/** Throws VERSION_INVALID_HOST_API or USAGE unless the version is one this specification defines. */
export function checkHostApiVersion(version: string): string {
  parseHostApiVersion(version);
  if (!(hostApiVersions as readonly string[]).includes(version)) {
    throw new MiniAppError('USAGE', `Host API ${version} is not defined by this specification.`, {
      fix: `use one of ${hostApiVersions.join(', ')}`,
    });
  }
  return version;
}

/**
 * Checks a directory before previewing it: the package rules a directory can break (links, unsafe
 * names, limits), the manifest, and [VER-007] whether the emulated host could launch it at all.
 */
export async function checkPreviewTarget(
  directory: string,
  hostApiVersion: string,
): Promise<PreviewTarget> {
  const opened = await openDirectorySource(directory);
  const read = await readManifest(opened.source);
  const diagnostics = [...opened.diagnostics, ...read.diagnostics];
  const manifest = read.manifest;
  if (manifest && !hostSatisfies(hostApiVersion, manifest.minHostVersion)) {
    diagnostics.push(
      diagnostic(
        'VERSION_HOST_TOO_OLD',
        `${manifest.id} needs host API ${manifest.minHostVersion}; the preview emulates ${hostApiVersion}.`,
        {
          location: { file: 'manifest.json', pointer: '/minHostVersion' },
          fix: `run the preview with --host-api ${manifest.minHostVersion} or newer`,
        },
      ),
    );
  }
  return { ...(manifest ? { manifest } : {}), diagnostics };
}
