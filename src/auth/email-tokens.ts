import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { EmailTokenPurpose } from '../db/entities/index.js';
import { storageHash } from './adapter.js';

/**
 * The secrets mailed for address verification and password reset: 256 random bits (base64url), stored only as
 * their SHA-256. A token is looked up by that hash, so response times say nothing about how close a guess was
 * (no comparison of secrets happens in the open). Each is single use, expires, and is bound to one account and
 * one purpose: a verification link cannot reset a password, a reset link opens only its own account.
 */

const TOKEN_BYTES = 32;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

const sql = <T>(em: EntityManager, query: string, params: unknown[]) =>
  em.getConnection().execute<T[]>(query, params, 'all', em.getTransactionContext());

/** A new token for the user; their earlier unused ones of the same purpose stop working (only the last mail counts). */
export async function issueEmailToken(
  em: EntityManager,
  userId: number,
  purpose: EmailTokenPurpose,
  ttlSeconds: number,
): Promise<string> {
  const token = randomBytes(TOKEN_BYTES).toString('base64url');
  await sql(em, `delete from email_tokens where expires_at < now() - interval '1 day'`, []);
  await sql(em, 'update email_tokens set used_at = now() where user_id = ? and purpose = ? and used_at is null', [
    userId,
    purpose,
  ]);
  await sql(
    em,
    `insert into email_tokens (token_hash, user_id, purpose, expires_at)
     values (?, ?, ?, now() + make_interval(secs => ?))`,
    [storageHash(token), userId, purpose, ttlSeconds],
  );
  return token;
}

/** The user of a token still usable for `purpose`, without using it (the page that asks for confirmation). */
export async function emailTokenUser(em: EntityManager, token: string, purpose: EmailTokenPurpose) {
  if (!TOKEN_SHAPE.test(token)) return null;
  const [row] = await sql<{ user_id: number }>(
    em,
    `select user_id from email_tokens
      where token_hash = ? and purpose = ? and used_at is null and expires_at > now()`,
    [storageHash(token), purpose],
  );
  return row?.user_id ?? null;
}

/**
 * Uses a token: the user it was issued to, or null (unknown, expired, already used, another purpose). Of two uses
 * at the same instant only one gets the user.
 */
export async function useEmailToken(
  em: EntityManager,
  token: string,
  purpose: EmailTokenPurpose,
): Promise<number | null> {
  if (!TOKEN_SHAPE.test(token)) return null;
  const [row] = await sql<{ user_id: number }>(
    em,
    `update email_tokens set used_at = now()
      where token_hash = ? and purpose = ? and used_at is null and expires_at > now()
      returning user_id`,
    [storageHash(token), purpose],
  );
  return row?.user_id ?? null;
}
