import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  BrowserWindow,
  app as electron,
  Menu,
  type MenuItemConstructorOptions,
  Notification,
  nativeImage,
  protocol,
  safeStorage,
  session,
  shell,
  Tray,
} from 'electron';
import { type Api, createApi } from '../api.ts';
import { type App, createApp } from '../app.ts';
import { defaultDataDir } from '../paths.ts';
import { DEFAULT_CSP, headerCsp } from '../server/csp.ts';
import { type RunningHookServer, startWebhooks } from '../server/hooks.ts';
import { staticResponse } from '../server/static.ts';
import { forwardEvents, registerIpc } from './ipc.ts';

/**
 * The Electron shell. The page is served from our own `pipewright://app/` scheme (not file://),
 * so it gets real response headers (CSP) and a fixed origin the IPC sender check can trust.
 * Everything it can do goes through the preload bridge; it gets no Node, no navigation away, no
 * pop-ups and no device permissions. Closing the window leaves live automations running in the tray.
 */

const SCHEME = 'pipewright';
const PAGE_ORIGIN = `${SCHEME}://app`;
const here = fileURLToPath(new URL('.', import.meta.url));
const rendererDir = join(here, '../renderer');
const devUrl = !electron.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;

/** Headers of every page response, as the browser edition sends them. */
const PAGE_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

let core: App | undefined;
let api: Api | undefined;
let hooks: RunningHookServer | undefined;
let win: BrowserWindow | undefined;
let tray: Tray | undefined;
let quitting = false;
let closed = false;
let stopping = false;
let toldAboutTray = false;

// Same folder as the CLI and the browser edition (PIPEWRIGHT_DATA_DIR honoured), not Electron's default.
electron.setName('Pipewright');
electron.setPath('userData', defaultDataDir());

protocol.registerSchemesAsPrivileged([{ scheme: SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

function isOurPage(url: string): boolean {
  if (url.startsWith(`${PAGE_ORIGIN}/`)) return true;
  return devUrl !== undefined && url.startsWith(new URL(devUrl).origin);
}

function iconPath(): string {
  return electron.isPackaged ? join(process.resourcesPath, 'icon.png') : join(here, '../../build/icon.png');
}

/**
 * The key the secrets are encrypted with, itself encrypted by the OS keychain (safeStorage) in the
 * data folder. Undefined means "use the default" (PIPEWRIGHT_SECRET_KEY or the 0600 key file):
 * when it is set explicitly, or when the OS offers no real encryption.
 */
function secretKey(dataDir: string): Buffer | undefined {
  if (process.env.PIPEWRIGHT_SECRET_KEY) return undefined;
  if (!safeStorage.isEncryptionAvailable()) return undefined;
  if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text') return undefined;
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const sealed = join(dataDir, 'secret.key.sealed');
  if (existsSync(sealed)) return Buffer.from(safeStorage.decryptString(readFileSync(sealed)), 'hex');
  // A key file the CLI created is adopted, so connections saved there keep working here.
  const plain = join(dataDir, 'secret.key');
  const key = existsSync(plain) ? Buffer.from(readFileSync(plain, 'utf8').trim(), 'hex') : randomBytes(32);
  writeFileSync(sealed, safeStorage.encryptString(key.toString('hex')), { mode: 0o600, flag: 'wx' });
  return key;
}

function serveRenderer(): void {
  protocol.handle(SCHEME, (request) => {
    const url = new URL(request.url);
    if (url.host !== 'app') return new Response('Not found.', { status: 404 });
    const file = staticResponse(rendererDir, url.pathname);
    return new Response(new Uint8Array(file.body), { status: file.status, headers: { ...PAGE_HEADERS, ...file.headers } });
  });
}

function lockDownSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  // Responses that reach the page by other routes (the dev server) get a policy too. The dev
  // server's React Refresh preamble is inline and its HMR uses a websocket; only dev allows those.
  const policy = devUrl
    ? headerCsp(
        DEFAULT_CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-inline'").replace(
          "connect-src 'self'",
          "connect-src 'self' ws:",
        ),
      )
    : headerCsp();
  ses.webRequest.onHeadersReceived((details, callback) => {
    const headers = { ...details.responseHeaders };
    const has = Object.keys(headers).some((name) => name.toLowerCase() === 'content-security-policy');
    if (!has) headers['Content-Security-Policy'] = [policy];
    callback({ responseHeaders: headers });
  });
}

function liveCount(): number {
  return core?.workflows.list().filter((w) => w.status === 'live').length ?? 0;
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 800,
    minHeight: 560,
    title: 'Pipewright',
    icon: iconPath(),
    show: false,
    backgroundColor: '#f7f7fb',
    webPreferences: {
      preload: join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: true,
    },
  });
  window.once('ready-to-show', () => window.show());
  window.on('close', (event) => {
    if (quitting || liveCount() === 0) return;
    // Live automations keep running: the window hides, the tray stays.
    event.preventDefault();
    window.hide();
    if (!toldAboutTray && Notification.isSupported()) {
      toldAboutTray = true;
      new Notification({
        title: 'Pipewright is still running',
        body: 'Your live automations keep running. Open or quit Pipewright from its icon in the tray.',
      }).show();
    }
  });
  window.on('closed', () => {
    if (win === window) win = undefined;
  });
  void window.loadURL(devUrl ?? `${PAGE_ORIGIN}/`);
  return window;
}

function showWindow(): void {
  win ??= createWindow();
  if (win.isMinimized()) win.restore();
  win.show();
  win.focus();
}

function updateTray(): void {
  if (!tray) return;
  const live = liveCount();
  const status = live === 0 ? 'No live automations' : `${live} live automation${live === 1 ? '' : 's'} running`;
  tray.setToolTip(`Pipewright — ${status}`);
  tray.setContextMenu(
    Menu.buildFromTemplate([
      { label: 'Open Pipewright', click: showWindow },
      { label: status, enabled: false },
      { type: 'separator' },
      { label: 'Quit Pipewright', click: () => electron.quit() },
    ]),
  );
}

function createTray(): void {
  const size = process.platform === 'linux' ? 24 : 16;
  tray = new Tray(nativeImage.createFromPath(iconPath()).resize({ width: size, height: size }));
  tray.on('click', showWindow);
  updateTray();
}

function createMenu(dataDir: string): void {
  const mac = process.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [
    ...(mac ? [{ role: 'appMenu' } as const] : []),
    {
      label: 'File',
      submenu: [mac ? { role: 'close' } : { role: 'quit', label: 'Quit Pipewright', accelerator: 'CmdOrCtrl+Q' }],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        { role: 'forceReload' },
        ...(electron.isPackaged ? [] : [{ role: 'toggleDevTools' } as const]),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [{ label: 'Show Data Folder', click: () => void shell.openPath(dataDir) }],
    },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

async function start(): Promise<void> {
  const dataDir = electron.getPath('userData');
  serveRenderer();
  lockDownSession();
  core = createApp({ dataDir, secretKey: secretKey(dataDir) });
  api = createApi(core, { edition: 'desktop' });
  registerIpc(api, isOurPage);
  forwardEvents(api, () => win?.webContents);
  api.subscribe((event) => {
    if (event === 'workflows.changed') updateTray();
  });
  hooks = await startWebhooks(core);
  core.start();
  createMenu(dataDir);
  createTray();
  win = createWindow();
}

async function shutdown(): Promise<void> {
  api?.close();
  await hooks?.close();
  await core?.close();
}

// Applies to every web contents, including any created later, so no window can escape the rules.
electron.on('web-contents-created', (_event, contents) => {
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-frame-navigate', (event) => {
    if (!event.isMainFrame) event.preventDefault();
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    // Links to the web (documentation, a CRM record) open in the user's browser, never in the app.
    if (/^https:\/\//i.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
});

if (!electron.requestSingleInstanceLock()) {
  electron.quit();
} else {
  electron.enableSandbox();
  electron.on('second-instance', showWindow);
  electron.on('activate', showWindow);
  electron.on('before-quit', () => {
    quitting = true;
  });
  // With no live automation, closing the window ends the app (as usual outside macOS).
  electron.on('window-all-closed', () => {
    if (process.platform !== 'darwin' && liveCount() === 0) electron.quit();
  });
  // The engine finishes its runs and closes the database before the process goes.
  electron.on('will-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    if (stopping) return;
    stopping = true;
    void shutdown().finally(() => {
      closed = true;
      electron.quit();
    });
  });
  electron
    .whenReady()
    .then(start)
    .catch((err: unknown) => {
      console.error(`Pipewright could not start: ${(err as Error).message}`);
      electron.exit(1);
    });
}
