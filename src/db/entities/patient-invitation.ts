import { Entity, Index, ManyToOne, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { Patient } from './patient.js';
import { User } from './user.js';

export const INVITATION_STATUSES = ['pending', 'redeemed', 'cancelled', 'superseded', 'expired'] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

/**
 * A patient invitation: who minted it, when, for which patient and OAuth client, until when, and what became of
 * it. The code itself is never stored, only its SHA-256 (as the provider's storage keeps it too).
 */
@Entity({ tableName: 'patient_invitations' })
@Index({ properties: ['patient', 'createdAt'] })
export class PatientInvitation {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'integer' })
  id!: number;

  @ManyToOne(() => Patient, { deleteRule: 'cascade' })
  patient!: Patient;

  @ManyToOne(() => User, { nullable: true, deleteRule: 'set null', index: true })
  createdBy?: User | null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();

  @Property({ type: 'string', length: 64 })
  clientId!: string;

  @Property({ type: 'string', length: 64, unique: true })
  codeHash!: string;

  /** the provider grant the code belongs to: revoked with it when the invitation is cancelled or superseded */
  @Property({ type: 'string', length: 255 })
  grantId!: string;

  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Property({ type: 'datetime', nullable: true })
  redeemedAt?: Date | null;

  @Property({ type: 'string', length: 64, nullable: true })
  redeemedByClient?: string | null;

  @Property({ type: 'datetime', nullable: true })
  cancelledAt?: Date | null;

  @ManyToOne(() => User, { nullable: true, deleteRule: 'set null', index: true })
  cancelledBy?: User | null;

  @Property({ type: 'datetime', nullable: true })
  supersededAt?: Date | null;

  /** when the server mailed the link to the patient (null: handed to the practitioner who minted it) */
  @Property({ type: 'datetime', nullable: true })
  emailedAt?: Date | null;
}

/** What became of an invitation, as of `now`. */
export function invitationStatus(invitation: PatientInvitation, now = new Date()): InvitationStatus {
  if (invitation.redeemedAt) return 'redeemed';
  if (invitation.cancelledAt) return 'cancelled';
  if (invitation.supersededAt) return 'superseded';
  return invitation.expiresAt <= now ? 'expired' : 'pending';
}
