/**
 * A video file for Chromium's fake camera (--use-file-for-fake-video-capture) that shows a QR code,
 * so the host's scanner can be tested with a real getUserMedia stream. Y4M is raw YUV 4:2:0 frames
 * behind a one-line header.
 */
import { writeFile } from 'node:fs/promises';
import QRCode from 'qrcode';

export async function writeQrVideo(
  file: string,
  text: string,
  options: { width?: number; height?: number; frames?: number } = {},
): Promise<void> {
  const width = options.width ?? 640;
  const height = options.height ?? 480;
  const frames = options.frames ?? 5;
  const code = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const modules = code.modules.size;
  const quiet = 4;
  const scale = Math.floor((Math.min(width, height) - 40) / (modules + quiet * 2));
  const side = scale * (modules + quiet * 2);
  const left = Math.floor((width - side) / 2);
  const top = Math.floor((height - side) / 2);
  const luma = new Uint8Array(width * height).fill(60);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const mx = Math.floor(x / scale) - quiet;
      const my = Math.floor(y / scale) - quiet;
      const dark = mx >= 0 && my >= 0 && mx < modules && my < modules && code.modules.get(mx, my);
      luma[(top + y) * width + left + x] = dark ? 16 : 235;
    }
  }
  const chroma = new Uint8Array((width / 2) * (height / 2)).fill(128);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), luma, chroma, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F10:1 Ip A1:1 C420jpeg\n`);
  await writeFile(file, Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]));
}
