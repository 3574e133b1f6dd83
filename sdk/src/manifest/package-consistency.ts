import { diagnostic, type Diagnostic } from '../diagnostics/index.ts';
import type { PackageSource } from '../package/package-source.ts';
import { MANIFEST_PATH, type Manifest } from './manifest.ts';

const localeFile = /^i18n\/([a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|[0-9]{3}))?)\.json$/;
const strictDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

interface ListedPage {
  /** Path from the package root. */
  path: string;
  pointer: string;
}

function at(pointer: string): { location: { file: string; pointer: string } } {
  return { location: { file: MANIFEST_PATH, pointer } };
}

/** Pages of the main package and of every subpackage, resolved against the package root. */
function listedPages(manifest: Manifest): ListedPage[] {
  const pages = manifest.pages.map((path, i) => ({ path, pointer: `/pages/${i}` }));
  (manifest.subpackages ?? []).forEach((sub, s) =>
    sub.pages.forEach((page, p) =>
      pages.push({ path: sub.root + page, pointer: `/subpackages/${s}/pages/${p}` }),
    ),
  );
  return pages;
}

/** [MAN-014] [MAN-015] the entry page is a listed page and no page is listed twice. */
function checkPageList(manifest: Manifest): Diagnostic[] {
  const found: Diagnostic[] = [];
  if (!manifest.pages.includes(manifest.entryPage)) {
    found.push(
      diagnostic(
        'MANIFEST_ENTRY_NOT_A_PAGE',
        `entryPage "${manifest.entryPage}" is not listed in pages`,
        { ...at('/entryPage'), fix: `add "${manifest.entryPage}" to pages or pick a listed page` },
      ),
    );
  }
  // Case-insensitive, so the package means the same on case-insensitive file systems.
  const seen = new Map<string, string>();
  for (const page of listedPages(manifest)) {
    const key = page.path.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      found.push(
        diagnostic(
          'MANIFEST_DUPLICATE_PAGE',
          `page "${page.path}" at ${page.pointer} is already listed at ${first}`,
          { ...at(page.pointer), fix: 'list each page once' },
        ),
      );
    } else {
      seen.set(key, page.pointer);
    }
  }
  return found;
}

/** [MAN-017] [MAN-018] [MAN-019] subpackage names are unique, roots never nest, pages stay in their package. */
function checkSubpackages(manifest: Manifest): Diagnostic[] {
  const found: Diagnostic[] = [];
  const subpackages = manifest.subpackages ?? [];
  const names = new Map<string, number>();
  subpackages.forEach((sub, i) => {
    const earlier = names.get(sub.name);
    if (earlier !== undefined) {
      found.push(
        diagnostic(
          'MANIFEST_INVALID_SUBPACKAGE',
          `subpackage name "${sub.name}" is already used by /subpackages/${earlier}`,
          { ...at(`/subpackages/${i}/name`), fix: 'give every subpackage its own name' },
        ),
      );
    } else {
      names.set(sub.name, i);
    }
    subpackages.slice(0, i).forEach((other, j) => {
      if (sub.root.startsWith(other.root) || other.root.startsWith(sub.root)) {
        found.push(
          diagnostic(
            'MANIFEST_SUBPACKAGE_OVERLAP',
            `subpackage root "${sub.root}" overlaps root "${other.root}" of /subpackages/${j}`,
            { ...at(`/subpackages/${i}/root`), fix: 'use sibling folders as subpackage roots' },
          ),
        );
      }
    });
    sub.pages.forEach((page, p) => {
      // The schema already forbids "..", but a manifest built in code may not have met the schema.
      if (
        page.split('/').some((segment) => segment === '..' || segment === '.' || segment === '')
      ) {
        found.push(
          diagnostic(
            'MANIFEST_PAGE_OUTSIDE_PACKAGE',
            `subpackage page "${page}" does not stay inside its root "${sub.root}"`,
            { ...at(`/subpackages/${i}/pages/${p}`), fix: 'list the page relative to the root' },
          ),
        );
      }
    });
  });
  manifest.pages.forEach((page, i) => {
    const owner = subpackages.find((sub) => page.startsWith(sub.root));
    if (owner) {
      found.push(
        diagnostic(
          'MANIFEST_PAGE_OUTSIDE_PACKAGE',
          `main-package page "${page}" lies under subpackage root "${owner.root}"`,
          {
            ...at(`/pages/${i}`),
            fix: `list it in the "${owner.name}" subpackage as "${page.slice(owner.root.length)}" or move the file`,
          },
        ),
      );
    }
  });
  return found;
}

/** [MAN-016] every page and icon the manifest names is a file of the package. */
function checkFilesExist(manifest: Manifest, files: ReadonlySet<string>): Diagnostic[] {
  const named = [
    ...listedPages(manifest),
    ...manifest.icons.map((icon, i) => ({ path: icon.src, pointer: `/icons/${i}/src` })),
  ];
  return named
    .filter((entry) => !files.has(entry.path))
    .map((entry) =>
      diagnostic(
        'MANIFEST_MISSING_FILE',
        `"${entry.path}" (${entry.pointer}) is not in the package`,
        {
          ...at(entry.pointer),
          fix: `add the file "${entry.path}" or correct the path (paths are case-sensitive)`,
        },
      ),
    );
}

/** [MAN-029] [MAN-030] translation files are well named, well formed, and include the default locale. */
async function checkTranslations(manifest: Manifest, source: PackageSource): Promise<Diagnostic[]> {
  const found: Diagnostic[] = [];
  const translations = source.files.filter((f) => f.path.startsWith('i18n/'));
  for (const file of translations) {
    if (!localeFile.test(file.path)) {
      found.push(
        diagnostic(
          'MANIFEST_INVALID_I18N',
          `"${file.path}" is not named i18n/<locale>.json with a canonical BCP 47 tag`,
          {
            location: { file: file.path },
            fix: 'name translation files like i18n/en.json, i18n/pt-BR.json or i18n/zh-Hans-CN.json',
          },
        ),
      );
      continue;
    }
    const problem = await translationProblem(source, file.path);
    if (problem) {
      found.push(
        diagnostic('MANIFEST_INVALID_I18N', `"${file.path}" ${problem}`, {
          location: { file: file.path },
          fix: 'make the file a UTF-8 JSON object whose values are strings',
        }),
      );
    }
  }
  const expected = `i18n/${manifest.defaultLocale}.json`;
  if (translations.length > 0 && !translations.some((f) => f.path === expected)) {
    found.push(
      diagnostic(
        'MANIFEST_MISSING_LOCALE',
        `the package has translations but no "${expected}" for defaultLocale "${manifest.defaultLocale}"`,
        { ...at('/defaultLocale'), fix: `add "${expected}" or change defaultLocale` },
      ),
    );
  }
  return found;
}

async function translationProblem(source: PackageSource, path: string): Promise<string | null> {
  let value: unknown;
  try {
    const text = strictDecoder.decode(await source.read(path));
    if (text.startsWith('\uFEFF')) return 'starts with a byte order mark';
    value = JSON.parse(text);
  } catch {
    return 'is not valid UTF-8 JSON';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'is not a JSON object';
  }
  const bad = Object.entries(value).find(([, v]) => typeof v !== 'string');
  return bad ? `member "${bad[0]}" is not a string` : null;
}

/**
 * The manifest rules that need the package's files or relate members to each other,
 * which a JSON Schema cannot express. Expects a manifest that passed `parseManifest`.
 */
export async function checkManifestAgainstFiles(
  manifest: Manifest,
  source: PackageSource,
): Promise<Diagnostic[]> {
  const files = new Set(source.files.map((f) => f.path));
  return [
    ...checkPageList(manifest),
    ...checkSubpackages(manifest),
    ...checkFilesExist(manifest, files),
    ...(await checkTranslations(manifest, source)),
  ];
}
