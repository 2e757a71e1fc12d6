import { cacheExchange } from '@urql/exchange-graphcache';
import { Client, fetchExchange } from 'urql';
import { accessToken } from './auth.ts';
import { cacheConfig } from './cache.ts';

/** urql over POST (Apollo Server's CSRF guard refuses GET queries without a preflight header). */
export const client = new Client({
  url: '/graphql',
  preferGetMethod: false,
  exchanges: [cacheExchange(cacheConfig), fetchExchange],
  fetch: async (input, init) => {
    const token = await accessToken();
    const headers = new Headers(init?.headers);
    if (token) headers.set('authorization', `Bearer ${token}`);
    return fetch(input, { ...init, headers });
  },
});
