import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/store/db.ts';
import { loadKey, SecretStore } from '../../src-main/store/secrets.ts';
import { tempDir } from '../helpers.ts';

describe('secrets', () => {
  it('are encrypted at rest and read back with the same key', () => {
    const dir = tempDir();
    const file = join(dir, 'pipewright.db');
    const db = openDatabase(file);
    const key = loadKey(dir, {});
    const secrets = new SecretStore(db, key);
    secrets.set('connection:kanvo:token', 'kv_live_TOPSECRET123');
    expect(secrets.get('connection:kanvo:token')).toBe('kv_live_TOPSECRET123');
    expect(secrets.names()).toEqual(['connection:kanvo:token']);
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    expect(readFileSync(file).includes('TOPSECRET')).toBe(false);
    // The generated key file is private to the user.
    expect(statSync(join(dir, 'secret.key')).mode & 0o077).toBe(0);
    // The same data directory gives the same key.
    expect(loadKey(dir, {}).equals(key)).toBe(true);
  });

  it('cannot be read with another key, nor moved to another name', () => {
    const dir = tempDir();
    const db = openDatabase(join(dir, 'pipewright.db'));
    new SecretStore(db, loadKey(dir, {})).set('a', 'value');
    const other = new SecretStore(db, Buffer.alloc(32, 7));
    expect(() => other.get('a')).toThrow();
    db.prepare("UPDATE secrets SET name = 'b' WHERE name = 'a'").run();
    expect(() => new SecretStore(db, loadKey(dir, {})).get('b')).toThrow();
    db.close();
  });

  it('takes the key from PIPEWRIGHT_SECRET_KEY and checks its form', () => {
    const dir = tempDir();
    expect(loadKey(dir, { PIPEWRIGHT_SECRET_KEY: 'ab'.repeat(32) }).toString('hex')).toBe('ab'.repeat(32));
    expect(() => loadKey(dir, { PIPEWRIGHT_SECRET_KEY: 'short' })).toThrow(/64 hexadecimal characters/);
  });
});

describe('a data folder sealed by the desktop app', () => {
  it('is not given a second, different key by the command line', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'secret.key.sealed'), 'sealed-by-the-os-keychain');
    expect(() => loadKey(dir, {})).toThrow(/sealed by the Pipewright desktop app/);
    expect(existsSync(join(dir, 'secret.key'))).toBe(false);
  });
});
