/**
 * Device features behind Capacitor plugins: on Android and iOS the native implementations, in a
 * browser the plugins' own web implementations (navigator.geolocation, navigator.clipboard,
 * navigator.share, navigator.vibrate). A feature the platform lacks surfaces as `unavailable`, so the
 * host can fall back to its own surface (the share sheet) or answer HOST_ERROR.
 */
import { Clipboard } from '@capacitor/clipboard';
import { Geolocation } from '@capacitor/geolocation';
import { Haptics, ImpactStyle } from '@capacitor/haptics';
import { Share } from '@capacitor/share';

export interface Position {
  latitude: number;
  longitude: number;
  accuracyMeters: number;
  timestamp: string;
}

export interface DeviceCapabilities {
  position(fine: boolean): Promise<Position>;
  readClipboard(): Promise<string>;
  writeClipboard(text: string): Promise<void>;
  /** false when the platform has no share sheet of its own. */
  share(request: { title: string; text?: string; url: string }): Promise<boolean>;
  vibrate(style: 'light' | 'medium' | 'heavy'): Promise<void>;
}

export const capacitorDevice: DeviceCapabilities = {
  async position(fine) {
    const position = await Geolocation.getCurrentPosition({
      enableHighAccuracy: fine,
      timeout: 10_000,
    });
    return {
      latitude: position.coords.latitude,
      longitude: position.coords.longitude,
      accuracyMeters: Math.max(0, position.coords.accuracy),
      timestamp: `${new Date(position.timestamp).toISOString().slice(0, 19)}Z`,
    };
  },
  async readClipboard() {
    const { value, type } = await Clipboard.read();
    return type.startsWith('text') ? value : '';
  },
  async writeClipboard(text) {
    await Clipboard.write({ string: text });
  },
  async share(request) {
    const { value } = await Share.canShare();
    if (!value) return false;
    await Share.share({
      title: request.title,
      ...(request.text ? { text: request.text } : {}),
      url: request.url,
    });
    return true;
  },
  async vibrate(style) {
    const impact =
      style === 'heavy'
        ? ImpactStyle.Heavy
        : style === 'medium'
          ? ImpactStyle.Medium
          : ImpactStyle.Light;
    await Haptics.impact({ style: impact });
  },
};
