/** JupyterHealth's practitioner fields (its PractitionerSerializer's names) with the account's state beside them. */

export const PRACTITIONER_FIELDS = 'id user { id email firstName lastName isSuperuser disabled emailVerified }';

export interface PractitionerNode {
  id: string;
  user: {
    id: string;
    email: string;
    firstName: string;
    lastName: string;
    isSuperuser: boolean;
    disabled: boolean;
    emailVerified: boolean;
  };
}

export const toPractitioner = (p: PractitionerNode) => ({
  id: Number(p.id),
  jheUserId: Number(p.user.id),
  nameFamily: p.user.lastName,
  nameGiven: p.user.firstName,
  telecomEmail: p.user.email,
  isSuperuser: p.user.isSuperuser,
  isActive: !p.user.disabled,
  emailVerified: p.user.emailVerified,
});

export const practitionerSchema = {
  type: 'object',
  required: ['id', 'jheUserId', 'nameFamily', 'nameGiven', 'telecomEmail', 'isSuperuser', 'isActive', 'emailVerified'],
  properties: {
    id: { type: 'integer' },
    jheUserId: { type: 'integer' },
    nameFamily: { type: 'string' },
    nameGiven: { type: 'string' },
    telecomEmail: { type: 'string' },
    isSuperuser: { type: 'boolean' },
    isActive: { type: 'boolean', description: 'false: disabled (no sign-in, its tokens refused)' },
    emailVerified: { type: 'boolean', description: 'false until the mailed link is opened' },
  },
};
