const escapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => escapes[c] ?? c);
}

/**
 * The preview's host page: a phone-sized frame with a super-app style top bar and the mini-app in a
 * sandboxed iframe on another origin. The iframe keeps `allow-same-origin` because its origin differs
 * from the host's: it keeps its own origin (so the init message can name it exactly [BRG-032] and its
 * web storage stays its own [STO-002]) but can never reach the host's DOM.
 */
export function hostPageHtml(appName: string): string {
  const name = escapeHtml(appName);
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${name} · miniapp preview</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="/host.css" />
  </head>
  <body>
    <div class="phone" id="phone">
      <header class="host-bar" id="host-bar">
        <span class="host-tag" title="Mock host of miniapp preview">preview</span>
        <span class="host-title" id="host-title">${name}</span>
        <span class="capsule">
          <button type="button" id="host-menu" aria-label="About this preview">&#8226;&#8226;&#8226;</button>
          <button type="button" id="host-close" aria-label="Close the mini-app">&#10005;</button>
        </span>
      </header>
      <div class="stage">
        <iframe id="app-frame" title="${name}" sandbox="allow-scripts allow-forms allow-same-origin"></iframe>
        <div class="closed" id="closed" hidden>
          <p>${name} is closed.</p>
          <button type="button" id="reopen">Open again</button>
        </div>
      </div>
      <div class="layer" id="layer"></div>
    </div>
    <script src="/host.js"></script>
  </body>
</html>
`;
}

/** Styles of the host page; the mini-app's own styles never mix with these (other document). */
export const hostPageCss = `:root {
  font-family: system-ui, -apple-system, 'Segoe UI', sans-serif;
  color: #1d1d1f;
  background: #d9dde3;
}
* { box-sizing: border-box; }
body { margin: 0; min-height: 100vh; display: flex; align-items: center; justify-content: center; }
.phone {
  position: relative;
  width: min(390px, 100vw);
  height: min(844px, 100vh);
  display: flex;
  flex-direction: column;
  background: #fff;
  overflow: hidden;
  box-shadow: 0 12px 40px rgb(0 0 0 / 0.25);
}
@media (min-width: 480px) and (min-height: 900px) { .phone { border-radius: 36px; border: 10px solid #111; } }
.host-bar {
  flex: none;
  display: grid;
  grid-template-columns: 1fr auto 1fr;
  align-items: center;
  height: 48px;
  padding: 0 10px;
  background: #f7f7f7;
  border-bottom: 1px solid #e3e3e3;
  color: #1d1d1f;
}
.host-bar.dark { color: #fff; }
.host-tag {
  justify-self: start;
  font-size: 0.65rem;
  text-transform: uppercase;
  letter-spacing: 0.08em;
  padding: 2px 6px;
  border-radius: 4px;
  background: rgb(0 0 0 / 0.08);
}
.host-title { font-weight: 600; font-size: 1rem; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; max-width: 200px; }
.capsule {
  justify-self: end;
  display: flex;
  border: 1px solid rgb(0 0 0 / 0.15);
  border-radius: 999px;
  background: rgb(255 255 255 / 0.7);
  overflow: hidden;
}
.capsule button {
  border: 0;
  background: transparent;
  width: 40px;
  height: 28px;
  font-size: 0.8rem;
  color: #1d1d1f;
  cursor: pointer;
}
.capsule button + button { border-left: 1px solid rgb(0 0 0 / 0.15); }
.stage { position: relative; flex: 1; }
#app-frame { position: absolute; inset: 0; width: 100%; height: 100%; border: 0; background: #fff; }
.closed {
  position: absolute;
  inset: 0;
  display: flex;
  flex-direction: column;
  align-items: center;
  justify-content: center;
  gap: 12px;
  background: #f2f2f2;
}
.closed[hidden] { display: none; }
.layer { position: absolute; inset: 0; pointer-events: none; }
.scrim {
  position: absolute;
  inset: 0;
  background: rgb(0 0 0 / 0.4);
  display: flex;
  pointer-events: auto;
}
.dialog {
  margin: auto 28px;
  padding: 20px;
  border-radius: 14px;
  background: #fff;
  width: 100%;
  box-shadow: 0 8px 30px rgb(0 0 0 / 0.3);
}
.dialog h2, .sheet h2 { margin: 0 0 8px; font-size: 1.05rem; }
.dialog p, .sheet p { margin: 0 0 16px; color: #555; line-height: 1.4; }
.actions { display: flex; gap: 10px; }
.actions button {
  flex: 1;
  border: 0;
  border-radius: 10px;
  padding: 11px;
  font-size: 0.95rem;
  font-weight: 600;
  cursor: pointer;
  background: #ececec;
  color: #1d1d1f;
}
.actions button.primary { background: #07c160; color: #fff; }
.actions button:focus-visible { outline: 2px solid #1d1d1f; outline-offset: 2px; }
.actions button:focus:not(:focus-visible) { outline: none; }
.sheet {
  margin-top: auto;
  width: 100%;
  padding: 20px 20px 28px;
  border-radius: 16px 16px 0 0;
  background: #fff;
}
.sheet .merchant { font-size: 0.85rem; color: #666; margin-bottom: 4px; }
.sheet .amount { font-size: 2.2rem; font-weight: 700; margin: 6px 0 4px; }
.sheet .wallet { display: flex; justify-content: space-between; padding: 12px 0; border-top: 1px solid #eee; border-bottom: 1px solid #eee; margin-bottom: 16px; font-size: 0.9rem; }
.toast {
  position: absolute;
  left: 50%;
  top: 45%;
  transform: translate(-50%, -50%);
  max-width: 70%;
  padding: 12px 18px;
  border-radius: 10px;
  background: rgb(30 30 30 / 0.85);
  color: #fff;
  text-align: center;
  font-size: 0.95rem;
}
`;
