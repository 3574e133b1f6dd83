/** Line icons of the shell, drawn as SVG (no icon font, no emoji: they render the same everywhere). */
const svgNs = 'http://www.w3.org/2000/svg';

const paths = {
  scan: [
    'M4 8V6a2 2 0 0 1 2-2h2',
    'M16 4h2a2 2 0 0 1 2 2v2',
    'M20 16v2a2 2 0 0 1-2 2h-2',
    'M8 20H6a2 2 0 0 1-2-2v-2',
    'M7 12h10',
  ],
  qr: [
    'M4 4h6v6H4z',
    'M14 4h6v6h-6z',
    'M4 14h6v6H4z',
    'M14 14h2v2h-2z',
    'M18 14h2',
    'M14 18h2',
    'M18 18h2v2h-2z',
  ],
  close: ['M6 6l12 12', 'M18 6L6 18'],
  more: [
    'M4 12a1.5 1.5 0 1 0 3 0 1.5 1.5 0 0 0-3 0',
    'M10.5 12a1.5 1.5 0 1 0 3 0 1.5 1.5 0 0 0-3 0',
    'M17 12a1.5 1.5 0 1 0 3 0 1.5 1.5 0 0 0-3 0',
  ],
  back: ['M15 18l-6-6 6-6'],
  settings: [
    'M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6z',
    'M19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1z',
  ],
  share: ['M4 12v7a1 1 0 0 0 1 1h14a1 1 0 0 0 1-1v-7', 'M16 6l-4-4-4 4', 'M12 2v13'],
  star: ['M12 3l2.8 5.7 6.2.9-4.5 4.4 1.1 6.2L12 17.3 6.4 20.2l1.1-6.2L3 9.6l6.2-.9z'],
  home: ['M3 11l9-8 9 8', 'M5 10v10h5v-6h4v6h5V10'],
  flag: ['M5 21V4', 'M5 4h11l-2 4 2 4H5'],
  edit: ['M4 20h4L19 9l-4-4L4 16z', 'M13 7l4 4'],
  location: [
    'M12 21s-7-6.1-7-11a7 7 0 0 1 14 0c0 4.9-7 11-7 11z',
    'M12 12.5a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5z',
  ],
  camera: [
    'M4 8h3l2-3h6l2 3h3a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V9a1 1 0 0 1 1-1z',
    'M12 17a4 4 0 1 0 0-8 4 4 0 0 0 0 8z',
  ],
  phone: ['M8 2h8a2 2 0 0 1 2 2v16a2 2 0 0 1-2 2H8a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2z', 'M11 18h2'],
  user: ['M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8z', 'M4 21a8 8 0 0 1 16 0'],
  photo: ['M4 4h16v16H4z', 'M4 16l5-5 4 4 3-3 4 4', 'M15 9h.01'],
  clipboard: ['M9 4h6v3H9z', 'M7 5H5v16h14V5h-2', 'M9 12h6', 'M9 16h4'],
  bell: ['M6 16V11a6 6 0 0 1 12 0v5l2 2H4z', 'M10 20a2 2 0 0 0 4 0'],
  card: ['M3 6h18v12H3z', 'M3 10h18', 'M7 15h3'],
  contacts: [
    'M5 3h13v18H5z',
    'M11.5 11a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5z',
    'M8 17a3.5 3.5 0 0 1 7 0',
    'M3 7h2',
    'M3 12h2',
    'M3 17h2',
  ],
  calendar: ['M4 5h16v15H4z', 'M4 10h16', 'M8 3v4', 'M16 3v4'],
  mic: ['M12 3a3 3 0 0 1 3 3v6a3 3 0 0 1-6 0V6a3 3 0 0 1 3-3z', 'M5 11a7 7 0 0 0 14 0', 'M12 18v3'],
  bluetooth: ['M7 7l10 10-5 4V3l5 4L7 17'],
  nfc: ['M6 8.5a6 6 0 0 1 0 7', 'M9.5 6a10 10 0 0 1 0 12', 'M13 3.5a14 14 0 0 1 0 17'],
  update: ['M12 19V5', 'M6 11l6-6 6 6'],
  question: [
    'M9.1 9a3 3 0 0 1 5.8 1c0 2-3 3-3 3',
    'M12 17h.01',
    'M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20z',
  ],
  shield: ['M12 22s8-4 8-10V5l-8-3-8 3v7c0 6 8 10 8 10z', 'M9 12l2 2 4-4'],
  alert: [
    'M12 9v4',
    'M12 17h.01',
    'M10.3 3.9L1.8 18a2 2 0 0 0 1.7 3h17a2 2 0 0 0 1.7-3L13.7 3.9a2 2 0 0 0-3.4 0z',
  ],
  wallet: ['M3 7h15a3 3 0 0 1 3 3v8a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1z', 'M3 7l12-4v4', 'M16 13h.01'],
  search: ['M11 19a8 8 0 1 0 0-16 8 8 0 0 0 0 16z', 'M21 21l-4.3-4.3'],
  bug: [
    'M8 8a4 4 0 0 1 8 0v8a4 4 0 0 1-8 0z',
    'M4 12h4',
    'M16 12h4',
    'M5 7l3 2',
    'M19 7l-3 2',
    'M5 18l3-2',
    'M19 18l-3-2',
  ],
} as const;

export type IconName = keyof typeof paths;

export function icon(name: IconName, size = 20, filled = false): SVGSVGElement {
  const svg = document.createElementNS(svgNs, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', String(size));
  svg.setAttribute('height', String(size));
  svg.setAttribute('fill', filled ? 'currentColor' : 'none');
  svg.setAttribute('stroke', 'currentColor');
  svg.setAttribute('stroke-width', '2');
  svg.setAttribute('stroke-linecap', 'round');
  svg.setAttribute('stroke-linejoin', 'round');
  svg.setAttribute('aria-hidden', 'true');
  svg.classList.add('svg-icon');
  for (const d of paths[name]) {
    const path = document.createElementNS(svgNs, 'path');
    path.setAttribute('d', d);
    svg.append(path);
  }
  return svg;
}
