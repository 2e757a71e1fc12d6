import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

const verifier = 'v'.repeat(50);
const production = {
  NODE_ENV: 'production',
  PATIENT_AUTHORIZATION_CODE_VERIFIER: verifier,
  PATIENT_AUTHORIZATION_CODE_CHALLENGE: createHash('sha256').update(verifier).digest('base64url'),
  DATABASE_URL: 'postgres://gateway@db.internal/hxg',
  PUBLIC_URL: 'https://gateway.example.org',
};

describe('production mode refuses what only fits a laptop', () => {
  it('starts with DATABASE_URL, an https PUBLIC_URL and its own PKCE pair, seeding nothing', () => {
    const config = loadConfig(production);
    expect(config).toMatchObject({ production: true, seed: 'none', publicUrl: 'https://gateway.example.org' });
  });

  it('refuses SEED=demo, whose logins share a published password', () => {
    expect(() => loadConfig({ ...production, SEED: 'demo' })).toThrow(/refuses SEED=demo/);
    expect(loadConfig({ ...production, SEED: 'none' }).seed).toBe('none');
    expect(loadConfig({ SEED: 'demo' }).seed).toBe('demo');
  });

  it('refuses the embedded PostgreSQL and its fixed password: production needs DATABASE_URL', () => {
    expect(() => loadConfig({ ...production, DATABASE_URL: '' })).toThrow(/production mode needs DATABASE_URL/);
    expect(loadConfig({}).databaseUrl).toBeUndefined();
  });

  it('refuses an http PUBLIC_URL unless PUBLIC_URL_ALLOW_HTTP says no TLS is wanted', () => {
    const http = { ...production, PUBLIC_URL: 'http://gateway.internal:8000' };
    expect(() => loadConfig(http)).toThrow(/needs an https PUBLIC_URL .*PUBLIC_URL_ALLOW_HTTP/);
    expect(() => loadConfig({ ...production, PUBLIC_URL: undefined })).toThrow(/https PUBLIC_URL/);
    expect(() => loadConfig({ ...http, PUBLIC_URL_ALLOW_HTTP: 'no' })).toThrow(/https PUBLIC_URL/);
    expect(loadConfig({ ...http, PUBLIC_URL_ALLOW_HTTP: 'true' }).publicUrl).toBe('http://gateway.internal:8000');
    expect(loadConfig({ PUBLIC_URL: 'http://localhost:8000' }).publicUrl).toBe('http://localhost:8000');
  });

  it('refuses a PKCE challenge that is not the S256 of its verifier, in any mode', () => {
    const challenge = createHash('sha256').update('another').digest('base64url');
    expect(() => loadConfig({ ...production, PATIENT_AUTHORIZATION_CODE_CHALLENGE: challenge })).toThrow(/S256/);
    expect(() => loadConfig({ PATIENT_AUTHORIZATION_CODE_VERIFIER: verifier })).toThrow(/S256/);
  });
});
