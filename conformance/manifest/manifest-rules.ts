/**
 * The manifest rules of spec/manifest.md, each written from the requirement's text. They run
 * beside the JSON Schema (the contract) so that a gap in either is caught by the other.
 */

type Json = unknown;
type JsonObject = Record<string, Json>;

export const isObject = (v: Json): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: Json): v is string => typeof v === 'string';
/** Length in Unicode code points, as "characters" means for people. */
const characters = (s: string) => [...s].length;
const blank = (s: string) => !/\S/u.test(s);
const show = (v: Json) => {
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

export const requiredMembers = [
  'specVersion',
  'id',
  'name',
  'version',
  'versionCode',
  'minHostVersion',
  'entryPage',
  'pages',
  'icons',
  'category',
  'defaultLocale',
] as const;

const topLevelMembers = new Set<string>([
  ...requiredMembers,
  'shortName',
  'description',
  'subpackages',
  'permissions',
  'allowedDomains',
]);
const subpackageMembers = new Set(['root', 'name', 'pages', 'independent']);
const permissionMembers = new Set(['reason']);
const iconMembers = new Set(['src', 'sizes', 'type']);

/** `x-<vendor>-<name>`, vendor of lowercase letters and digits. */
export const vendorExtension = /^x-[a-z0-9]+-./s;

export const categories = new Set([
  'books',
  'business',
  'education',
  'entertainment',
  'finance',
  'food',
  'games',
  'government',
  'health',
  'lifestyle',
  'medical',
  'music',
  'navigation',
  'news',
  'photo',
  'productivity',
  'shopping',
  'social',
  'sports',
  'travel',
  'utilities',
  'weather',
]);

/** BCP 47 in canonical case: language, optional Script, optional REGION or 3-digit area. */
export const localeTag = /^[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|[0-9]{3}))?$/;

// Semantic Versioning 2.0.0, from the grammar at semver.org.
const numeric = '(?:0|[1-9][0-9]*)';
const identifier = '(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)';
const semver = new RegExp(
  `^${numeric}\\.${numeric}\\.${numeric}(?:-${identifier}(?:\\.${identifier})*)?(?:\\+[0-9A-Za-z-]+(?:\\.[0-9A-Za-z-]+)*)?$`,
);
export const hostApiVersion = new RegExp(`^${numeric}\\.${numeric}\\.${numeric}$`);

// eslint-disable-next-line no-control-regex -- [MAN-013] finding control characters is the rule
const controlCharacter = /[\u0000-\u001f\u007f-\u009f]/;

/** Faults of a relative POSIX path with page-path segments (MAN-013), `.html` not required. */
export function relativePathFaults(value: Json, kind: 'page' | 'file' | 'folder'): string[] {
  if (!isString(value)) return [`${show(value)} is not a string`];
  const faults: string[] = [];
  if (value.startsWith('/')) faults.push('starts with "/"');
  if (/[\\?#]/.test(value)) faults.push('contains "\\", "?" or "#"');
  if (controlCharacter.test(value)) faults.push('contains a control character');
  const body = kind === 'folder' ? value.replace(/\/$/, '') : value;
  if (kind === 'folder' && !value.endsWith('/')) faults.push('does not end in "/"');
  const segments = (value.startsWith('/') ? body.slice(1) : body).split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) {
    faults.push('has an empty, "." or ".." segment');
  }
  if (kind === 'page' && !value.endsWith('.html')) faults.push('does not end in ".html"');
  return faults.map((f) => `${show(value)} ${f}`);
}

export function missingMembers(m: JsonObject): string[] {
  return requiredMembers.filter((k) => !(k in m)).map((k) => `member "${k}" is missing`);
}

export function undefinedMembers(m: JsonObject): string[] {
  const faults: string[] = [];
  const inspect = (object: Json, allowed: Set<string>, where: string) => {
    if (!isObject(object)) return;
    for (const key of Object.keys(object)) {
      if (!allowed.has(key) && !vendorExtension.test(key)) {
        faults.push(
          `${where}/${key.replace(/~/g, '~0').replace(/\//g, '~1')} is not a member the specification defines (nor x-<vendor>-<name>)`,
        );
      }
    }
  };
  inspect(m, topLevelMembers, '');
  if (Array.isArray(m['subpackages'])) {
    m['subpackages'].forEach((s, i) => inspect(s, subpackageMembers, `/subpackages/${i}`));
  }
  if (isObject(m['permissions'])) {
    for (const [name, declaration] of Object.entries(m['permissions'])) {
      inspect(declaration, permissionMembers, `/permissions/${name}`);
    }
  }
  if (Array.isArray(m['icons']))
    m['icons'].forEach((icon, i) => inspect(icon, iconMembers, `/icons/${i}`));
  return faults;
}

export function specVersionFaults(m: JsonObject): string[] {
  return 'specVersion' in m && m['specVersion'] !== '1.0'
    ? [`specVersion is ${show(m['specVersion'])}, not "1.0"`]
    : [];
}

export function idFaults(m: JsonObject): string[] {
  if (!('id' in m)) return [];
  const id = m['id'];
  if (!isString(id)) return [`id ${show(id)} is not a string`];
  const faults: string[] = [];
  if (id.length < 3 || id.length > 255)
    faults.push(`id is ${id.length} characters long (3 to 255)`);
  const labels = id.split('.');
  if (labels.length < 2) faults.push(`id ${show(id)} has fewer than two labels`);
  for (const label of labels) {
    if (!/^[a-z][a-z0-9-]{0,62}$/.test(label) || label.endsWith('-')) {
      faults.push(
        `id label ${show(label)} is not 1 to 63 of a-z 0-9 -, starting with a letter and not ending with -`,
      );
    }
  }
  return faults;
}

export function nameFaults(m: JsonObject): string[] {
  const faults: string[] = [];
  const text = (key: string, min: number, max: number, notBlank: boolean) => {
    if (!(key in m)) return;
    const value = m[key];
    if (!isString(value)) return void faults.push(`${key} ${show(value)} is not a string`);
    const n = characters(value);
    if (n < min || n > max) faults.push(`${key} has ${n} characters (${min} to ${max})`);
    if (notBlank && n > 0 && blank(value)) faults.push(`${key} is only white space`);
  };
  text('name', 1, 64, true);
  text('shortName', 1, 16, true);
  text('description', 0, 512, false);
  return faults;
}

export function versionFaults(m: JsonObject): string[] {
  if (!('version' in m)) return [];
  const v = m['version'];
  if (!isString(v) || !semver.test(v))
    return [`version ${show(v)} is not a Semantic Versioning 2.0.0 version`];
  return v.length > 64 ? [`version is ${v.length} characters long (at most 64)`] : [];
}

export function versionCodeFaults(m: JsonObject): string[] {
  if (!('versionCode' in m)) return [];
  const v = m['versionCode'];
  return typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 2147483647
    ? []
    : [`versionCode ${show(v)} is not an integer from 1 to 2147483647`];
}

export function minHostVersionFaults(m: JsonObject): string[] {
  if (!('minHostVersion' in m)) return [];
  const v = m['minHostVersion'];
  return isString(v) && hostApiVersion.test(v)
    ? []
    : [`minHostVersion ${show(v)} is not MAJOR.MINOR.PATCH without pre-release or build`];
}

export function pagesFaults(m: JsonObject): string[] {
  const faults: string[] = [];
  if ('pages' in m) {
    const pages = m['pages'];
    if (!Array.isArray(pages) || pages.length === 0) faults.push('pages is not a non-empty array');
    else
      pages.forEach((p, i) =>
        faults.push(...relativePathFaults(p, 'page').map((f) => `/pages/${i}: ${f}`)),
      );
  }
  if ('entryPage' in m)
    faults.push(...relativePathFaults(m['entryPage'], 'page').map((f) => `/entryPage: ${f}`));
  return faults;
}

export function entryPageFaults(m: JsonObject): string[] {
  if (!('entryPage' in m) || !Array.isArray(m['pages'])) return [];
  return m['pages'].includes(m['entryPage'])
    ? []
    : [`entryPage ${show(m['entryPage'])} is not one of the paths listed in pages`];
}

/** Every page path the manifest lists, subpackage pages resolved against their root. */
export function allPages(m: JsonObject): { path: string; where: string }[] {
  const pages: { path: string; where: string }[] = [];
  if (Array.isArray(m['pages'])) {
    m['pages'].forEach((p, i) => isString(p) && pages.push({ path: p, where: `/pages/${i}` }));
  }
  if (Array.isArray(m['subpackages'])) {
    m['subpackages'].forEach((s, i) => {
      if (!isObject(s) || !isString(s['root']) || !Array.isArray(s['pages'])) return;
      const root = s['root'];
      s['pages'].forEach(
        (p, j) =>
          isString(p) && pages.push({ path: `${root}${p}`, where: `/subpackages/${i}/pages/${j}` }),
      );
    });
  }
  return pages;
}

export function duplicatePageFaults(m: JsonObject, fold: (p: string) => string): string[] {
  const seen = new Map<string, string>();
  const faults: string[] = [];
  for (const { path, where } of allPages(m)) {
    const key = fold(path);
    const first = seen.get(key);
    if (first) faults.push(`${where} lists ${show(path)} again (first at ${first})`);
    else seen.set(key, where);
  }
  return faults;
}

export function subpackageFaults(m: JsonObject): string[] {
  if (!('subpackages' in m)) return [];
  const list = m['subpackages'];
  if (!Array.isArray(list)) return ['subpackages is not an array'];
  const faults: string[] = [];
  const names = new Map<string, number>();
  list.forEach((s, i) => {
    const where = `/subpackages/${i}`;
    if (!isObject(s)) return void faults.push(`${where} is not an object`);
    if (!('root' in s)) faults.push(`${where} has no root`);
    else faults.push(...relativePathFaults(s['root'], 'folder').map((f) => `${where}/root: ${f}`));
    const name = s['name'];
    if (!isString(name) || !/^[a-z0-9_-]{1,64}$/.test(name)) {
      faults.push(`${where}/name ${show(name)} is not 1 to 64 of a-z 0-9 - _`);
    } else if (names.has(name)) {
      faults.push(`${where}/name ${show(name)} is already used by /subpackages/${names.get(name)}`);
    } else {
      names.set(name, i);
    }
    if (!Array.isArray(s['pages'])) faults.push(`${where}/pages is not an array of page paths`);
    else
      s['pages'].forEach((p, j) =>
        faults.push(...relativePathFaults(p, 'page').map((f) => `${where}/pages/${j}: ${f}`)),
      );
  });
  return faults;
}

export function subpackageRoots(m: JsonObject): string[] {
  return Array.isArray(m['subpackages'])
    ? m['subpackages'].flatMap((s) => (isObject(s) && isString(s['root']) ? [s['root']] : []))
    : [];
}

export function nestedRootFaults(m: JsonObject): string[] {
  const roots = subpackageRoots(m);
  const faults: string[] = [];
  roots.forEach((a, i) =>
    roots.forEach((b, j) => {
      if (i < j && (a.startsWith(b) || b.startsWith(a))) {
        faults.push(
          a === b
            ? `subpackages ${i} and ${j} share the root ${show(a)}`
            : `subpackage roots ${show(a)} and ${show(b)} are nested`,
        );
      }
    }),
  );
  return faults;
}

export function pageUnderRootFaults(m: JsonObject): string[] {
  const roots = subpackageRoots(m);
  if (!Array.isArray(m['pages'])) return [];
  return m['pages'].flatMap((p, i) => {
    const root = isString(p) ? roots.find((r) => p.startsWith(r)) : undefined;
    return root ? [`/pages/${i} ${show(p)} lies under the subpackage root ${show(root)}`] : [];
  });
}

export function permissionNameFaults(m: JsonObject, registered: ReadonlySet<string>): string[] {
  if (!('permissions' in m)) return [];
  const permissions = m['permissions'];
  if (!isObject(permissions)) return ['permissions is not an object'];
  return Object.keys(permissions)
    .filter((name) => !registered.has(name))
    .map((name) => `permission ${show(name)} is not in the registry of permissions.md`);
}

export function permissionReasonFaults(m: JsonObject): string[] {
  const permissions = m['permissions'];
  if (!isObject(permissions)) return [];
  return Object.entries(permissions).flatMap(([name, declaration]) => {
    if (!isObject(declaration)) return [`/permissions/${name} is not an object`];
    const reason = declaration['reason'];
    if (!isString(reason)) return [`/permissions/${name} has no reason string`];
    const n = characters(reason);
    if (n < 1 || n > 256 || blank(reason))
      return [
        `/permissions/${name}/reason has ${n} characters or is blank (1 to 256, not only white space)`,
      ];
    return [];
  });
}

/** Faults of one allowedDomains entry (MAN-023): https/wss, lowercase DNS host, port not 443. */
export function originFaults(value: Json): string[] {
  if (!isString(value)) return [`${show(value)} is not a string`];
  const match = /^(https|wss):\/\/([^/?#]*)$/.exec(value);
  if (!match)
    return [`${show(value)} is not an https or wss origin without path, query or fragment`];
  const authority = match[2] as string;
  if (authority.includes('@')) return [`${show(value)} carries user information`];
  const hostPort = /^([^:]*)(?::(.*))?$/.exec(authority) as RegExpExecArray;
  const host = hostPort[1] as string;
  const port = hostPort[2];
  const faults: string[] = [];
  const labels = host.split('.');
  const dnsName =
    host.length >= 1 &&
    host.length <= 253 &&
    labels.every((l) => /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(l)) &&
    /[a-z]/.test(labels.at(-1) ?? '');
  if (!dnsName)
    faults.push(
      `${show(value)}: ${show(host)} is not a lowercase DNS host name (no IP literal, no wildcard)`,
    );
  if (port !== undefined) {
    const n = Number(port);
    if (!/^[1-9][0-9]{0,4}$/.test(port) || n > 65535)
      faults.push(`${show(value)}: port ${show(port)} is not a port number`);
    else if (n === 443) faults.push(`${show(value)}: port 443 must be left out`);
  }
  return faults;
}

export function allowedDomainFaults(m: JsonObject): string[] {
  if (!('allowedDomains' in m)) return [];
  const list = m['allowedDomains'];
  if (!Array.isArray(list)) return ['allowedDomains is not an array'];
  const faults = list.flatMap((v, i) => originFaults(v).map((f) => `/allowedDomains/${i}: ${f}`));
  list.forEach((v, i) => {
    if (list.indexOf(v) !== i) faults.push(`/allowedDomains/${i}: ${show(v)} appears twice`);
  });
  return faults;
}

const iconTypes = new Set(['image/png', 'image/webp', 'image/svg+xml']);

export function iconFaults(m: JsonObject): string[] {
  if (!('icons' in m)) return [];
  const icons = m['icons'];
  if (!Array.isArray(icons) || icons.length === 0) return ['icons is not a non-empty array'];
  return icons.flatMap((icon, i) => {
    const where = `/icons/${i}`;
    if (!isObject(icon)) return [`${where} is not an object`];
    const faults = relativePathFaults(icon['src'], 'file').map((f) => `${where}/src: ${f}`);
    const sizes = icon['sizes'];
    const match = isString(sizes) ? /^([1-9][0-9]*)x([1-9][0-9]*)$/.exec(sizes) : null;
    if (!match || Number(match[1]) > 4096 || Number(match[2]) > 4096) {
      faults.push(`${where}/sizes ${show(sizes)} is not <width>x<height> from 1 to 4096`);
    }
    if ('type' in icon && !iconTypes.has(icon['type'] as string)) {
      faults.push(
        `${where}/type ${show(icon['type'])} is not image/png, image/webp or image/svg+xml`,
      );
    }
    return faults;
  });
}

export function categoryFaults(m: JsonObject): string[] {
  return 'category' in m && !categories.has(m['category'] as string)
    ? [`category ${show(m['category'])} is not one of the ${categories.size} categories`]
    : [];
}

export function defaultLocaleFaults(m: JsonObject): string[] {
  return 'defaultLocale' in m &&
    !(isString(m['defaultLocale']) && localeTag.test(m['defaultLocale']))
    ? [
        `defaultLocale ${show(m['defaultLocale'])} is not a canonical language[-Script][-REGION] tag`,
      ]
    : [];
}

/**
 * [MAN-170] Every string and member name, vendor members included, free of U+0000. The walk keeps
 * its own stack, since a hostile manifest may nest deeper than the call stack (MAN-003 is separate).
 */
export function nulCharacterFaults(m: JsonObject): string[] {
  const faults: string[] = [];
  const pointer = (path: string, key: string) =>
    `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
  const stack: { value: Json; path: string }[] = [{ value: m, path: '' }];
  for (let item = stack.pop(); item; item = stack.pop()) {
    const { value, path } = item;
    if (isString(value)) {
      if (value.includes('\u0000')) faults.push(`${path || '/'} ${show(value)} contains U+0000`);
    } else if (Array.isArray(value)) {
      value.forEach((v, i) => stack.push({ value: v, path: `${path}/${i}` }));
    } else if (isObject(value)) {
      for (const [key, v] of Object.entries(value)) {
        if (key.includes('\u0000'))
          faults.push(`the member name ${show(key)} at ${path || '/'} contains U+0000`);
        stack.push({ value: v, path: pointer(path, key) });
      }
    }
  }
  return faults.sort();
}
