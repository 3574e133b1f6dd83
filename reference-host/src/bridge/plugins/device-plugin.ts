/** Device features: location, code scanning, images, clipboard, vibration and sharing. */
import { BridgeError } from '#sdk/bridge/bridge-error.ts';
import type { HostServices } from '../host-services.ts';
import type { HostPlugin } from '../plugin-registry.ts';

export const devicePlugin: HostPlugin<HostServices> = {
  name: 'device',
  methods: {
    'location.getCurrent': async (p, { services }) => {
      try {
        return await services.device.position(p.accuracy !== 'coarse');
      } catch {
        throw new BridgeError('HOST_ERROR', 'The device could not determine its position.');
      }
    },
    'camera.scanCode': async (p, { app, services }) => {
      const scanned = await services.ui.scanCode(app, p.formats ?? ['qr']);
      if (!scanned) throw new BridgeError('USER_CANCELLED', 'The user closed the scanner.');
      return scanned;
    },
    'media.chooseImage': async (p, { app, services }) => {
      const images = await services.ui.chooseImages(app, p.count ?? 1);
      if (!images || images.length === 0)
        throw new BridgeError('USER_CANCELLED', 'The user closed the picker.');
      return { images };
    },
    'clipboard.read': async (_p, { services }) => ({ text: await services.device.readClipboard() }),
    'clipboard.write': async (p, { services }) => {
      await services.device.writeClipboard(p.text);
      return {};
    },
    'device.vibrate': async (p, { services }) => {
      // A device without a vibrator has nothing to do; that is not a failure.
      await services.device.vibrate(p.style ?? 'light').catch(() => undefined);
      return {};
    },
    'share.open': async (p, { app, services }) => {
      const link = services.apps.link(app.appId, p.page);
      const request = { title: p.title, ...(p.text ? { text: p.text } : {}), url: link };
      const native = await services.device.share(request).catch(() => false);
      if (native) return {};
      const shared = await services.ui.shareSheet(app, {
        title: p.title,
        ...(p.text ? { text: p.text } : {}),
        link,
      });
      if (!shared) throw new BridgeError('USER_CANCELLED', 'The user closed the share sheet.');
      return {};
    },
  },
};
