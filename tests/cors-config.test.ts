import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';

const origins = (CORS_ORIGINS?: string, PUBLIC_URL = 'https://gateway.example.org') =>
  loadConfig({ PUBLIC_URL, ...(CORS_ORIGINS === undefined ? {} : { CORS_ORIGINS }) }).corsOrigins;

describe('CORS_ORIGINS', () => {
  it('allows only the portal’s own origin by default', () => {
    expect(origins()).toEqual(['https://gateway.example.org']);
    expect(origins(undefined, 'http://localhost:8000/')).toEqual(['http://localhost:8000']);
    expect(origins('')).toEqual(['https://gateway.example.org']);
  });

  it('adds the listed exact origins', () => {
    expect(origins(' https://app.example.org , http://127.0.0.1:5173,https://gateway.example.org')).toEqual([
      'https://gateway.example.org',
      'https://app.example.org',
      'http://127.0.0.1:5173',
    ]);
    expect(origins('https://app.example.org/')).toContain('https://app.example.org');
  });

  it('refuses a wildcard and anything that is not an origin, saying what is wrong', () => {
    expect(() => origins('*')).toThrow(/CORS_ORIGINS lists exact origins .* "\*" is refused/);
    expect(() => origins('https://*.example.org')).toThrow(/refused/);
    expect(() => origins('null')).toThrow(/"null" is not an origin/);
    expect(() => origins('app.example.org')).toThrow(/not an origin/);
    expect(() => origins('ftp://app.example.org')).toThrow(/not an origin/);
    expect(() => origins('https://user:pw@app.example.org')).toThrow(/not an origin/);
    expect(() => origins('https://app.example.org/smart')).toThrow(/did you mean "https:\/\/app.example.org"/);
    expect(() => origins('https://app.example.org?x=1')).toThrow(/not an origin/);
    expect(() => origins('https://App.Example.org:443')).toThrow(/did you mean "https:\/\/app.example.org"/);
    expect(() => origins(undefined, 'gateway.example.org')).toThrow(/PUBLIC_URL must be a URL/);
  });
});
