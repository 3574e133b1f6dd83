/**
 * The host's side of one running mini-app on the web: a sandboxed iframe on the app's own origin
 * (no top navigation, no popups [BRG-039's web counterpart]), the bootstrap that provisions the
 * verified files, and two ports per document of the app: the runtime's own (page, ready signal,
 * errors, subpackages) and the bridge's. The init message goes to the exact origin of the frame
 * [BRG-032] once the document's scripts listen for it; after it, bridge messages are taken only from
 * the port and never from window.postMessage [BRG-033].
 */
import {
  isRuntimeMessage,
  runtimeMarker,
  type BootstrapReport,
  type ClientReport,
  type RuntimeLaunch,
} from './runtime-protocol.ts';
import {
  appPathPrefix,
  bootstrapPath,
  launchDigest,
  warmLaunchUrl,
  workerPath,
} from './runtime-protocol.ts';

/** Sandbox tokens: scripts and their own origin's storage; no popups, no top navigation, no downloads. */
export const frameSandbox = 'allow-scripts allow-same-origin allow-forms';

export interface RuntimeOrigins {
  /** The host shell's origin, the only one allowed to frame mini-apps. */
  hostOrigin: string;
  /** The origin of one installation's runtime, e.g. http://<label>.localhost:8090. */
  runtimeOrigin(label: string): string;
}

export interface FrameHandlers {
  /** Every bridge message that arrives on the current document's port; the reply is posted back. */
  bridge(message: unknown): Promise<string | null>;
  report(report: ClientReport, documentId: number): void;
  /** A document of the frame opened its port (a new page). */
  connected(documentId: number): void;
}

export interface FrameLaunch {
  label: string;
  versionKey: string;
  launch: RuntimeLaunch;
  /** Paths of the main package. */
  paths: string[];
  /** Reads the files the runtime lacks (none, when its worker still holds them). */
  load(paths: string[]): Promise<[string, Uint8Array][]>;
  page: string;
  query?: string;
  fragment?: string;
  hostApiVersion: string;
}

/** Registers what the runtime server anchors in this version's worker (web builds only). */
export type LaunchRegistrar = (
  label: string,
  versionKey: string,
  launch: RuntimeLaunch,
) => Promise<void>;

export class RuntimeFrame {
  readonly element: HTMLIFrameElement;
  readonly origin: string;
  /** The current document's runtime port and bridge port. */
  #runtime: MessagePort | undefined;
  #port: MessagePort | undefined;
  /** Bridge messages for the current document before its bridge port exists. */
  #pending: (string | object)[] = [];
  #versionKey: string | undefined;
  #documentId = 0;
  #listener: ((event: MessageEvent) => void) | undefined;
  #bootstrapped = false;

  constructor(
    private readonly container: HTMLElement,
    private readonly origins: RuntimeOrigins,
    private readonly registrar: LaunchRegistrar,
    /** Replaced when a preloaded frame is adopted by the instance it was loaded for. */
    public handlers: FrameHandlers,
    readonly appId: string,
    label: string,
  ) {
    this.origin = origins.runtimeOrigin(label);
    this.element = document.createElement('iframe');
    this.element.setAttribute('sandbox', frameSandbox);
    this.element.setAttribute('allow', '');
    this.element.setAttribute('referrerpolicy', 'no-referrer');
    this.element.className = 'app-frame';
    // [CNF-024] the marker by which a conformance suite finds the mini-app's frame.
    this.element.setAttribute('data-openminiapp-app', appId);
    this.element.title = appId;
  }

  get documentId(): number {
    return this.#documentId;
  }

  #helloWaiters: (() => void)[] = [];
  #helloSeen = false;
  #preloaded = false;

  /**
   * Starts loading the bootstrap before the version is known (while the package downloads), so the
   * new origin's process and document are ready when the files are; it waits for its order.
   */
  preload(): void {
    if (this.#preloaded) return;
    this.#preloaded = true;
    this.#listen();
    this.element.hidden = true;
    this.element.src = this.origin + bootstrapPath;
    if (!this.element.isConnected) this.container.append(this.element);
  }

  /** One listener for the frame's window messages, from preload or start on. */
  #listen(): void {
    if (this.#listener) return;
    this.#listener = (event: MessageEvent) => {
      if (event.source !== this.element.contentWindow || event.origin !== this.origin) return;
      if (!isRuntimeMessage(event.data)) return; // [BRG-033] bridge messages only through the port.
      if (event.data.kind === 'bootstrap-hello' && !this.#bootstrapped) {
        this.#bootstrapped = true;
        this.#helloSeen = true;
        this.#mark('bootstrap');
        for (const waiter of this.#helloWaiters.splice(0)) waiter();
      } else if (event.data.kind === 'client-hello') {
        this.#mark('page');
        this.#onClientHello();
      }
    };
    window.addEventListener('message', this.#listener);
  }

  #onClientHello: () => void = () => undefined;

  /**
   * Registers the version and provisions the runtime, then opens the page. `warm`: the frame goes
   * straight to the page through the origin's worker, which lets it through only when it serves
   * exactly this launch with every file of the main package (see warmLaunchUrl); otherwise the worker
   * sends the frame to the bootstrap, and when the origin has no worker at all (first launch, worker
   * evicted, storage cleared) the runtime server's 404 loads without a hello, and the host loads the
   * bootstrap itself. Without `warm` (or with a preloaded bootstrap) the bootstrap runs first.
   */
  async start(launch: FrameLaunch, options: { warm?: boolean } = {}): Promise<void> {
    this.#versionKey = launch.versionKey;
    const warm = options.warm === true && !this.#preloaded;
    let registered: Promise<void> | undefined;
    // The worker script of this version is served only once the registration is in; a warm start
    // needs it only if it falls back to the bootstrap, so it is sent once the frame is on its way.
    const register = (): Promise<void> => {
      registered ??= this.registrar(launch.label, launch.versionKey, launch.launch);
      registered.catch(() => undefined);
      return registered;
    };
    if (!warm) await register();
    const entryUrl =
      appPathPrefix +
      launch.page.split('/').map(encodeURIComponent).join('/') +
      (launch.query ? `?${launch.query}` : '') +
      (launch.fragment ? `#${launch.fragment}` : '');
    this.#listen();
    let clientSeen = false;
    const provisioned = new Promise<void>((resolve, reject) => {
      const order = (): void => {
        const channel = new MessageChannel();
        channel.port1.onmessage = (reply: MessageEvent<BootstrapReport>) => {
          const report = reply.data;
          if (report.kind === 'bootstrap-need') {
            this.#mark('worker-registered');
            void launch.load(report.paths).then(
              (loaded) => {
                const files = loaded.map(
                  ([path, bytes]) => [path, bytes.slice().buffer] as [string, ArrayBuffer],
                );
                channel.port1.postMessage(
                  { runtime: runtimeMarker, kind: 'bootstrap-files', files },
                  files.map(([, buffer]) => buffer),
                );
              },
              (error: unknown) => reject(error instanceof Error ? error : new Error(String(error))),
            );
            return;
          }
          channel.port1.close();
          this.#mark('worker-provisioned');
          if (report.kind === 'bootstrap-ready') resolve();
          else reject(new Error(report.reason));
        };
        this.element.contentWindow?.postMessage(
          {
            runtime: runtimeMarker,
            kind: 'bootstrap-order',
            workerUrl: `${workerPath}?k=${launch.versionKey}`,
            paths: launch.paths,
            entryUrl,
          },
          this.origin,
          [channel.port2],
        );
      };
      this.#helloWaiters.push(() => void register().then(order, reject));
      this.#onClientHello = () => {
        clientSeen = true;
        // A warm start is provisioned once a page of the worker asks for its port; which version
        // served it is checked on every report and before the bridge (versionKey).
        if (warm) resolve();
        this.#connect(launch.hostApiVersion);
      };
      // A preloaded bootstrap may have said hello already.
      if (this.#helloSeen) for (const waiter of this.#helloWaiters.splice(0)) waiter();
    });
    if (warm) {
      const digest = await launchDigest(launch.launch);
      // A document that loaded without any hello was not served by a worker of this origin.
      this.element.addEventListener(
        'load',
        () => {
          if (clientSeen || this.#helloSeen) return;
          this.#mark('no-worker');
          this.element.src = this.origin + bootstrapPath;
        },
        { once: true },
      );
      this.#mark('warm-navigation');
      this.element.src = this.origin + warmLaunchUrl(digest, entryUrl);
    } else if (!this.#preloaded) {
      this.element.src = this.origin + bootstrapPath;
    }
    if (!this.element.isConnected) this.container.append(this.element);
    // (A warm start's registration goes out once its navigation has begun.)
    void register();
    await provisioned;
    await register();
  }

  /** Marks a step of the runtime's start in the performance timeline (omp:<appId>:runtime:<step>). */
  #mark(step: string): void {
    performance.mark(`omp:${this.appId}:runtime:${step}`);
  }

  /** A new document of the frame asked for its runtime port: the previous document's ports close. */
  #connect(hostApiVersion: string): void {
    this.#runtime?.close();
    this.#port?.close();
    this.#port = undefined;
    this.#pending = [];
    const channel = new MessageChannel();
    const runtime = channel.port1;
    const documentId = ++this.#documentId;
    this.#runtime = runtime;
    runtime.onmessage = (event: MessageEvent) => {
      if (this.#runtime !== runtime || !isRuntimeMessage(event.data)) return;
      const report = event.data as ClientReport;
      if (report.kind === 'bridge-hello') {
        // Only a document that this version's worker served gets the bridge.
        if (report.versionKey === this.#versionKey && !this.#port) this.#bridge(hostApiVersion);
        return;
      }
      this.handlers.report(report, documentId);
    };
    runtime.start();
    this.element.contentWindow?.postMessage(
      { runtime: runtimeMarker, kind: 'runtime-port' },
      this.origin,
      [channel.port2],
    );
    this.handlers.connected(documentId);
  }

  /** The bridge's init message with the document's port [BRG-032]; the only way in [BRG-033]. */
  #bridge(hostApiVersion: string): void {
    const channel = new MessageChannel();
    const port = channel.port1;
    this.#port = port;
    port.onmessage = (event: MessageEvent) => {
      if (this.#port !== port) return;
      void this.handlers.bridge(event.data).then((reply) => {
        if (reply !== null && this.#port === port) port.postMessage(reply);
      });
    };
    port.start();
    // [BRG-032] to the exact origin of the frame, never "*".
    this.element.contentWindow?.postMessage(
      { bridge: 'openminiapp', v: 1, kind: 'init', hostApiVersion },
      this.origin,
      [channel.port2],
    );
    for (const message of this.#pending.splice(0)) port.postMessage(message);
  }

  /** Posts a bridge response or event to the current document (queued until its port exists). */
  postBridge(message: string | object): void {
    if (this.#port) this.#port.postMessage(message);
    else this.#pending.push(message);
  }

  /** Posts an order of the runtime to the current document. */
  postRuntime(order: object, transfer: Transferable[] = []): void {
    this.#runtime?.postMessage(order, transfer);
  }

  setVisible(visible: boolean): void {
    this.element.hidden = !visible;
  }

  destroy(): void {
    if (this.#listener) window.removeEventListener('message', this.#listener);
    this.#port?.close();
    this.#port = undefined;
    this.#runtime?.close();
    this.#runtime = undefined;
    this.element.remove();
  }
}
