import type { DataSourceType, OrganizationType, Role } from '../db/entities/index.js';

/**
 * The demo data of the JupyterHealth Exchange README, with the ids the public contract fixes.
 * All logins use DEMO_PASSWORD; the seed is refused in production mode.
 */
export const DEMO_PASSWORD = 'Jhe1234!';
export const OMH_SYSTEM = 'https://w3id.org/openmhealth';
export const DEMO_IDENTIFIER_SYSTEM = 'https://ehr.example.com';

export const codeableConcepts = [
  [50001, 'omh:blood-glucose:4.0', 'Blood glucose'],
  [50002, 'omh:blood-pressure:4.0', 'Blood pressure'],
  [50003, 'omh:body-temperature:4.0', 'Body temperature'],
  [50004, 'omh:heart-rate:2.0', 'Heart rate'],
  [50005, 'omh:oxygen-saturation:2.0', 'Oxygen saturation'],
  [50006, 'omh:respiratory-rate:2.0', 'Respiratory rate'],
  [50007, 'omh:rr-interval:1.0', 'RR interval'],
  [50008, 'omh:body-weight:3.0', 'Body weight'],
  [50009, 'omh:physical-activity:1.2', 'Physical activity'],
  [50010, 'omh:step-count:3.0', 'Step count'],
  [50011, 'omh:sleep-episode:1.1', 'Sleep episode'],
  [50012, 'omh:sleep-duration:2.0', 'Sleep duration'],
] as const;

export type DemoCode = (typeof codeableConcepts)[number][1];
const CODE_IDS = new Map<string, number>(codeableConcepts.map(([id, code]) => [code, id]));
export const codeId = (code: DemoCode): number => CODE_IDS.get(code) ?? 0;

const BG = 'omh:blood-glucose:4.0';
const BP = 'omh:blood-pressure:4.0';
const BT = 'omh:body-temperature:4.0';
const HR = 'omh:heart-rate:2.0';
const O2 = 'omh:oxygen-saturation:2.0';
const RR = 'omh:respiratory-rate:2.0';

export const dataSources: { id: number; name: string; type: DataSourceType; scopes: DemoCode[] }[] = [
  { id: 70001, name: 'iHealth', type: 'personal_device', scopes: [BP, HR, BT, O2, BG] },
  { id: 70002, name: 'Dexcom', type: 'personal_device', scopes: [BG] },
  { id: 70003, name: 'CareX', type: 'personal_device', scopes: [BP, HR] },
  { id: 70004, name: 'Oura', type: 'personal_device', scopes: [HR, RR, BT, O2] },
];

export const organizations: { id: number; name: string; type: OrganizationType; partOf: number | null }[] = [
  { id: 20001, name: 'University of California Berkeley', type: 'edu', partOf: null },
  { id: 20002, name: 'College of Computing, Data Science and Society', type: 'dept', partOf: 20001 },
  { id: 20003, name: 'Berkeley Institute for Data Science (BIDS)', type: 'laboratory', partOf: 20002 },
  { id: 20004, name: 'University of California San Francisco', type: 'edu', partOf: null },
  { id: 20005, name: 'Department of Medicine', type: 'dept', partOf: 20004 },
  { id: 20006, name: 'Cardiology', type: 'dept', partOf: 20005 },
  { id: 20007, name: 'Moslehi Lab', type: 'laboratory', partOf: 20006 },
  { id: 20008, name: 'Olgin Lab', type: 'laboratory', partOf: 20006 },
];

export const practitioners: {
  id: number;
  email: string;
  firstName: string;
  lastName: string;
  isSuperuser?: boolean;
  roles: [number, Role][];
}[] = [
  { id: 10001, email: 'sam@example.com', firstName: 'Sam', lastName: 'Super', isSuperuser: true, roles: [] },
  {
    id: 10002,
    email: 'mary@example.com',
    firstName: 'Mary',
    lastName: 'Manager',
    roles: [
      [20001, 'manager'],
      [20002, 'manager'],
      [20003, 'manager'],
    ],
  },
  {
    id: 10003,
    email: 'megan@example.com',
    firstName: 'Megan',
    lastName: 'Member',
    roles: [[20003, 'member']],
  },
  {
    id: 10004,
    email: 'victor@example.com',
    firstName: 'Victor',
    lastName: 'Viewer',
    roles: [[20003, 'viewer']],
  },
  {
    id: 10005,
    email: 'tom@example.com',
    firstName: 'Tom',
    lastName: 'Multirole',
    roles: [
      [20003, 'viewer'],
      [20007, 'member'],
      [20008, 'manager'],
    ],
  },
  {
    id: 10006,
    email: 'mark@example.com',
    firstName: 'Mark',
    lastName: 'Manager',
    roles: [
      [20004, 'manager'],
      [20005, 'manager'],
      [20006, 'manager'],
      [20007, 'manager'],
    ],
  },
];

export const studies: {
  id: number;
  organization: number;
  name: string;
  description: string;
  scopes: DemoCode[];
}[] = [
  {
    id: 30001,
    organization: 20003,
    name: 'BIDS Study on BP & HR',
    description: 'Blood pressure and heart rate at home.',
    scopes: [BP, HR],
  },
  {
    id: 30002,
    organization: 20003,
    name: 'BIDS Study on BP',
    description: 'Blood pressure at home.',
    scopes: [BP],
  },
  {
    id: 30003,
    organization: 20006,
    name: 'Cardio Study on RR',
    description: 'Respiratory rate during sleep.',
    scopes: [RR],
  },
  {
    id: 30004,
    organization: 20007,
    name: 'Moslehi Study on BT',
    description: 'Body temperature twice a day.',
    scopes: [BT],
  },
  {
    id: 30005,
    organization: 20008,
    name: 'Olgin Study on O2',
    description: 'Oxygen saturation through the day.',
    scopes: [O2],
  },
];

/** The apps patients use; each study holds those that carry one of its data sources. */
export const clients: {
  id: number;
  name: string;
  oauthClientId: string;
  invitationUrl: string;
  dataSources: number[];
}[] = [
  {
    id: 90001,
    name: 'CommonHealth',
    oauthClientId: 'commonhealth',
    invitationUrl:
      'https://play.google.com/store/apps/details?id=org.thecommons.commonhealth&referrer=cloud_sharing=CODE',
    dataSources: [70001, 70002],
  },
  {
    id: 90002,
    name: 'CareX',
    oauthClientId: 'carex',
    invitationUrl: 'https://carex.ai/?invitation=CODE',
    dataSources: [70003],
  },
];

/** Each study uses the data sources that support at least one of its scopes. */
export const studyDataSources = (scopes: readonly DemoCode[]): number[] =>
  dataSources.filter((ds) => ds.scopes.some((s) => scopes.includes(s))).map((ds) => ds.id);

/** consent per study and scope: true, false (declined), or absent (requested, not answered yet), as in the
 * JupyterHealth Exchange README's seed diagram */
export const patients: {
  id: number;
  userId: number;
  email: string;
  nameGiven: string;
  nameFamily: string;
  birthDate: string;
  organizations: number[];
  studies: { study: number; consents: Partial<Record<DemoCode, boolean>> }[];
  /** the device each consented scope's observations come from */
  devices: Partial<Record<DemoCode, number>>;
}[] = [
  {
    id: 40001,
    userId: 10007,
    email: 'peter@example.com',
    nameGiven: 'Peter',
    nameFamily: 'Patient',
    birthDate: '1980-01-01',
    organizations: [20003],
    studies: [
      { study: 30001, consents: { [BP]: true, [HR]: true } },
      { study: 30002, consents: {} },
    ],
    devices: { [BP]: 70001, [HR]: 70003 },
  },
  {
    id: 40002,
    userId: 10008,
    email: 'pamela@example.com',
    nameGiven: 'Pamela',
    nameFamily: 'Patient',
    birthDate: '1982-02-02',
    organizations: [20003],
    studies: [
      { study: 30001, consents: { [BP]: true, [HR]: true } },
      { study: 30002, consents: { [BP]: true } },
    ],
    devices: { [BP]: 70003, [HR]: 70004 },
  },
  {
    id: 40003,
    userId: 10009,
    email: 'percy@example.com',
    nameGiven: 'Percy',
    nameFamily: 'Patient',
    birthDate: '1975-03-03',
    organizations: [20007],
    studies: [{ study: 30004, consents: { [BT]: true } }],
    devices: { [BT]: 70001 },
  },
  {
    id: 40004,
    userId: 10010,
    email: 'paul@example.com',
    nameGiven: 'Paul',
    nameFamily: 'Patient',
    birthDate: '1968-04-04',
    organizations: [20008],
    studies: [{ study: 30005, consents: { [O2]: true } }],
    devices: { [O2]: 70004 },
  },
  {
    id: 40005,
    userId: 10011,
    email: 'pat@example.com',
    nameGiven: 'Pat',
    nameFamily: 'Patient',
    birthDate: '1990-05-05',
    organizations: [20006, 20008],
    studies: [
      { study: 30003, consents: { [RR]: true } },
      { study: 30005, consents: { [O2]: true } },
    ],
    devices: { [RR]: 70004, [O2]: 70001 },
  },
];

/** How many data points a day each scope gets in the demo, over DEMO_DAYS days from DEMO_START. */
export const DEMO_START = new Date('2026-11-01T00:00:00Z');
export const DEMO_DAYS = 4;
export const perDay: Partial<Record<DemoCode, number>> = {
  [BP]: 3,
  [HR]: 24,
  [BT]: 2,
  [O2]: 8,
  [RR]: 6,
  [BG]: 24,
};
