/**
 * The local API key: TRIBUTARY_API_KEY, else the key file in the workspace, else a new random key
 * written there (mode 0600) at first start. Compared in constant time (digests of equal length).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ValidationError } from '../../errors';
import type { Workspace } from '../../workspace/workspace';
import { UnauthorizedError } from '../http-errors';
import type { Principal } from '../types';
import { bearerToken, type Authenticator } from './authenticator';

export const API_KEY_ENV = 'TRIBUTARY_API_KEY';
const MIN_KEY_LENGTH = 16;
const KEY_SHAPE = /^[\x21-\x7e]+$/;

export interface ApiKey {
  key: string;
  /** Where it came from, for the startup line (never print the key itself). */
  source: 'environment' | 'file' | 'generated';
}

function checkKey(key: string, where: string): string {
  if (key.length < MIN_KEY_LENGTH || !KEY_SHAPE.test(key)) {
    throw new ValidationError(`the API key in ${where} must be at least ${MIN_KEY_LENGTH} printable characters without spaces`, where);
  }
  return key;
}

/** The key the local host accepts; creates the key file on first use. */
export function loadOrCreateApiKey(workspace: Workspace, env: NodeJS.ProcessEnv = process.env): ApiKey {
  const fromEnv = env[API_KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return { key: checkKey(fromEnv.trim(), API_KEY_ENV), source: 'environment' };
  const existing = readKeyFile(workspace.apiKeyFile);
  if (existing !== undefined) return { key: existing, source: 'file' };
  mkdirSync(path.dirname(workspace.apiKeyFile), { recursive: true, mode: 0o700 });
  const key = randomBytes(32).toString('base64url');
  try {
    // 'wx': two hosts starting at once cannot both write; the loser reads the winner's key.
    writeFileSync(workspace.apiKeyFile, `${key}\n`, { mode: 0o600, flag: 'wx' });
    return { key, source: 'generated' };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    const raced = readKeyFile(workspace.apiKeyFile);
    if (raced === undefined) throw new ValidationError(`${workspace.apiKeyFile} is empty: delete it and start again`, workspace.apiKeyFile);
    return { key: raced, source: 'file' };
  }
}

/** The key stored in the workspace, or undefined; narrows the file to owner-only if it was wider. */
export function readKeyFile(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const { mode, uid } = statSync(file);
  if ((mode & 0o077) !== 0 && uid === process.getuid?.()) chmodSync(file, 0o600);
  const key = text.trim();
  return key === '' ? undefined : checkKey(key, file);
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

export class ApiKeyAuthenticator implements Authenticator {
  private readonly expected: Buffer;

  constructor(key: string) {
    this.expected = digest(key);
  }

  async authenticate(authorization: string | undefined): Promise<Principal> {
    const token = bearerToken(authorization);
    if (!timingSafeEqual(digest(token), this.expected)) throw new UnauthorizedError('invalid API key', true);
    return { kind: 'apiKey' };
  }
}
