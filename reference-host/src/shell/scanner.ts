/**
 * The host's code scanner: the camera in the browser (getUserMedia) decoded with jsQR frame by frame,
 * or a picture of a code chosen from the files. Used by camera.scanCode and by the storefront's
 * "scan to open".
 */
import jsQRImport from 'jsqr';

type Decoder = (
  data: Uint8ClampedArray,
  width: number,
  height: number,
  options?: { inversionAttempts?: 'attemptBoth' },
) => { data: string } | null;

// jsqr is CommonJS with an ES default inside: bundlers and TypeScript disagree on which one `import` gives.
const imported = jsQRImport as unknown as Decoder | { default: Decoder };
const jsQR: Decoder = typeof imported === 'function' ? imported : imported.default;
import { h } from './dom.ts';

function decode(
  source: CanvasImageSource,
  width: number,
  height: number,
  canvas: HTMLCanvasElement,
): string | undefined {
  if (width === 0 || height === 0) return undefined;
  canvas.width = width;
  canvas.height = height;
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) return undefined;
  context.drawImage(source, 0, 0, width, height);
  const image = context.getImageData(0, 0, width, height);
  return jsQR(image.data, width, height, { inversionAttempts: 'attemptBoth' })?.data;
}

/** A panel that calls `found` once with the first decoded text, or `cancel`. */
export function openScanner(found: (text: string) => void, cancel: () => void): HTMLElement {
  const video = h('video', {
    class: 'scanner-video',
    playsinline: true,
    muted: true,
    'data-testid': 'scanner-video',
  });
  const canvas = h('canvas', { hidden: true });
  const status = h(
    'p',
    { class: 'fine', 'data-testid': 'scanner-status' },
    'Point the camera at a QR code.',
  );
  let stream: MediaStream | undefined;
  let done = false;
  const stop = (): void => {
    done = true;
    for (const track of stream?.getTracks() ?? []) track.stop();
  };
  const finish = (text: string): void => {
    if (done) return;
    stop();
    found(text);
  };
  const tick = (): void => {
    if (done) return;
    const text = decode(video, video.videoWidth, video.videoHeight, canvas);
    if (text !== undefined) finish(text);
    else requestAnimationFrame(tick);
  };
  navigator.mediaDevices
    ?.getUserMedia({ video: { facingMode: 'environment' }, audio: false })
    .then(async (media) => {
      if (done) return media.getTracks().forEach((t) => t.stop());
      stream = media;
      video.srcObject = media;
      await video.play();
      tick();
    })
    .catch(() => {
      status.textContent = 'No camera is available. Choose a picture of the code instead.';
    });
  const file = h('input', { type: 'file', accept: 'image/*', 'data-testid': 'scanner-file' });
  file.addEventListener('change', () => {
    const picked = file.files?.[0];
    if (!picked) return;
    void createImageBitmap(picked).then((bitmap) => {
      const text = decode(bitmap, bitmap.width, bitmap.height, canvas);
      if (text !== undefined) finish(text);
      else status.textContent = 'No QR code was found in that picture.';
    });
  });
  return h(
    'section',
    { class: 'scanner' },
    h('h2', {}, 'Scan a code'),
    h('div', { class: 'viewfinder' }, video, h('span', { class: 'frame-corners' })),
    canvas,
    status,
    h('label', { class: 'secondary wide file' }, 'Choose a picture', file),
    h(
      'button',
      {
        class: 'link',
        onclick: () => {
          stop();
          cancel();
        },
      },
      'Cancel',
    ),
  );
}
