/**
 * The host's own surfaces that bridge methods and launches need, drawn outside every mini-app frame.
 * The shell (src/shell) implements them with the DOM; every answer the user can give, including
 * closing a sheet (USER_CANCELLED [BRG-042]), is part of the contract.
 */
import type { PermissionName } from '#schemas/generated/bridge/methods.ts';
import type { PromptAnswer } from '../permissions/permission-manager.ts';

export interface PostalAddress {
  recipient: string;
  phoneNumber?: string;
  countryCode: string;
  region?: string;
  city: string;
  postalCode?: string;
  lines: string[];
}

export interface UserProfile {
  displayName: string;
  avatarUrl?: string;
  phoneNumber: string;
  phoneVerified: boolean;
  addresses: PostalAddress[];
}

export interface ChosenImage {
  uri: string;
  width: number;
  height: number;
  size: number;
  mimeType: 'image/jpeg' | 'image/png' | 'image/heic' | 'image/webp';
}

export type ModalAnswer = 'confirm' | 'cancel' | 'dismiss';

/** What a payment sheet shows: the product and its price, both from the distribution server. */
export interface PaymentSheetRequest {
  productId: string;
  kind: 'consumable' | 'nonConsumable' | 'subscription';
  price: { currency: string; minor: number };
  periodDays?: number;
  /** The partner's own order, when the mini-app named one. */
  orderId?: string;
}

/** The mini-app a sheet is shown for: its name is shown, its id names the screen to the adapter. */
export interface SheetApp {
  appId: string;
  name: string;
}

export interface NavigationBar {
  title?: string;
  backgroundColor?: string;
  textStyle?: 'light' | 'dark';
}

export interface HostUi {
  askPermission(request: {
    appId: string;
    appName: string;
    permission: PermissionName;
    reason: string;
  }): Promise<PromptAnswer>;
  toast(message: string, icon: 'none' | 'success' | 'error' | 'loading', durationMs: number): void;
  modal(
    app: SheetApp,
    request: {
      title: string;
      content?: string;
      confirmText?: string;
      cancelText?: string;
      showCancel?: boolean;
    },
  ): Promise<ModalAnswer>;
  setNavigationBar(appId: string, bar: NavigationBar): void;
  /** true when the user confirmed paying the price the platform's catalog gives [BRG-200]. */
  paymentSheet(app: SheetApp, request: PaymentSheetRequest): Promise<boolean>;
  chooseAddress(app: SheetApp, addresses: PostalAddress[]): Promise<PostalAddress | undefined>;
  confirmPhoneNumber(app: SheetApp, phoneNumber: string): Promise<boolean>;
  scanCode(
    app: SheetApp,
    formats: readonly string[],
  ): Promise<{ format: 'qr'; text: string } | undefined>;
  chooseImages(app: SheetApp, count: number): Promise<ChosenImage[] | undefined>;
  shareSheet(
    app: SheetApp,
    request: {
      title: string;
      text?: string;
      link: string;
    },
  ): Promise<boolean>;
}
