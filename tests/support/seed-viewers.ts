import type { EntityManager } from '@mikro-orm/postgresql';
import { ANONYMOUS, loadViewer, type Viewer } from '../../src/policy/viewer.js';

/** User ids of the demo seed (ARCHITECTURE.md section 4). */
export const SEED_USERS = {
  sam: 10001,
  mary: 10002,
  megan: 10003,
  victor: 10004,
  tom: 10005,
  mark: 10006,
  peter: 10007,
  pamela: 10008,
  percy: 10009,
  paul: 10010,
  pat: 10011,
} as const;
export type SeedUser = keyof typeof SEED_USERS;

export const ORG = {
  ucb: 20001,
  ccdss: 20002,
  bids: 20003,
  ucsf: 20004,
  medicine: 20005,
  cardiology: 20006,
  moslehi: 20007,
  olgin: 20008,
} as const;
export const STUDY = {
  bidsBpHr: 30001,
  bidsBp: 30002,
  cardioRr: 30003,
  moslehiBt: 30004,
  olginO2: 30005,
} as const;
export const PATIENT = { peter: 40001, pamela: 40002, percy: 40003, paul: 40004, pat: 40005 } as const;
export const CODE = { bg: 50001, bp: 50002, bt: 50003, hr: 50004, o2: 50005, rr: 50006 } as const;

export async function seedViewer(em: EntityManager, who: SeedUser | 'anonymous'): Promise<Viewer> {
  return who === 'anonymous' ? ANONYMOUS : loadViewer(em, SEED_USERS[who]);
}
