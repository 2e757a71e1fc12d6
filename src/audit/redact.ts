import { createHmac, randomBytes } from 'node:crypto';

const processKey = randomBytes(32);

/**
 * What the trail keeps of a free-text value (an email, an identifier's value): its keyed hash, so that two
 * searches for the same value can be matched up, while the value itself, and a dictionary of likely values,
 * tell nothing without the key (AUDIT_HASH_KEY; unset, a random key of this process).
 */
export const redactedValue = (text: string, key: string | undefined): string =>
  `hmac:${createHmac('sha256', key ?? processKey)
    .update(text)
    .digest('hex')
    .slice(0, 16)}`;
