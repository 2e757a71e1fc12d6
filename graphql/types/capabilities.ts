import { Field, ObjectType } from 'type-graphql';

/** What the viewer may do, decided by the server's policy (roles and the token's scopes), for clients to show. */

@ObjectType({ description: 'What the viewer may do anywhere', simpleResolvers: true })
export class ViewerCapabilities {
  @Field()
  createTopLevelOrganization!: boolean;

  @Field({ description: 'create, change and delete data sources' })
  editDataSources!: boolean;

  @Field({ description: 'create and rename codeable concepts' })
  editCodes!: boolean;

  @Field()
  registerClients!: boolean;

  @Field({ description: 'create, change and delete the apps patients use (clients)' })
  manageClients!: boolean;

  @Field({ description: 'read the audit trail (auditEvents)' })
  readAuditTrail!: boolean;

  @Field({ description: 'list, create, edit, disable and delete practitioner accounts (super users)' })
  managePractitionerAccounts!: boolean;
}

@ObjectType({ description: 'What the viewer may do with one organization', simpleResolvers: true })
export class OrganizationCapabilities {
  @Field({ description: 'change its name and type' })
  edit!: boolean;

  @Field({ description: 'add, remove and change the roles of its practitioners' })
  managePractitioners!: boolean;

  @Field()
  createSubOrganization!: boolean;

  @Field({ description: 'delete it with its subtree' })
  delete!: boolean;

  @Field()
  createStudy!: boolean;

  @Field()
  createPatient!: boolean;

  @Field({ description: 'enroll its patients in its studies' })
  enrollPatients!: boolean;
}

@ObjectType({ description: 'What the viewer may do with one study', simpleResolvers: true })
export class StudyCapabilities {
  @Field({ description: 'change it, its data sources and scope requests' })
  edit!: boolean;

  @Field()
  delete!: boolean;

  @Field({ description: 'enroll and unenroll patients' })
  enrollPatients!: boolean;
}

@ObjectType({ description: 'What the viewer may do with one patient', simpleResolvers: true })
export class PatientCapabilities {
  @Field({ description: 'change the record and its identifiers' })
  edit!: boolean;

  @Field({ description: 'delete the record and its data' })
  delete!: boolean;

  @Field({ description: 'mint and cancel invitations' })
  invite!: boolean;

  @Field({ description: 'answer the studies’ consent requests (the patient alone)' })
  answerConsents!: boolean;

  @Field({ description: 'see who read or changed the patient’s data (accessLog)' })
  viewAccessLog!: boolean;
}
