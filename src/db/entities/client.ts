import { Entity, ManyToOne, OptionalProps, PrimaryKey, Property, Unique } from '@mikro-orm/core';
import { DataSource } from './data-source.js';
import { Study } from './study.js';

/**
 * An app that talks to the exchange for patients (CommonHealth, CareX, …): its own OAuth client, the link its
 * invitations open (a template with `CODE` in it) and the data sources it uploads from. Studies hold clients;
 * a patient is invited to one of their studies' clients.
 */
@Entity({ tableName: 'clients' })
export class Client {
  [OptionalProps]?: 'createdAt' | 'invitationUrl';

  @PrimaryKey({ type: 'integer' })
  id!: number;

  @Property({ type: 'string', length: 100 })
  name!: string;

  /** the OAuth client id, registered in the provider's storage */
  @Property({ type: 'string', length: 64, unique: true })
  oauthClientId!: string;

  /** where an invitation sends the patient, `CODE` standing for the invitation code (none: the default prefix) */
  @Property({ type: 'text', nullable: true })
  invitationUrl?: string | null;

  @Property({ type: 'datetime', defaultRaw: 'now()' })
  createdAt: Date = new Date();
}

@Entity({ tableName: 'client_data_sources' })
@Unique({ properties: ['client', 'dataSource'] })
export class ClientDataSource {
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @ManyToOne(() => Client, { deleteRule: 'cascade' })
  client!: Client;

  @ManyToOne(() => DataSource, { deleteRule: 'cascade', index: true })
  dataSource!: DataSource;
}

@Entity({ tableName: 'study_clients' })
@Unique({ properties: ['study', 'client'] })
export class StudyClient {
  @PrimaryKey({ type: 'integer' })
  id!: number;

  @ManyToOne(() => Study, { deleteRule: 'cascade' })
  study!: Study;

  @ManyToOne(() => Client, { deleteRule: 'cascade', index: true })
  client!: Client;
}
