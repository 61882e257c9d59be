import { contextBridge } from 'electron';
import { version } from '../../package.json';

/**
 * The only door between the page and the main process. It grows with the typed contract
 * (shared/contract.ts); nothing else is exposed.
 */
contextBridge.exposeInMainWorld('pipewright', Object.freeze({ version }));
