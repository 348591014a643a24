export interface Registration {
  /** Users that were not known before. */
  registered: number;
  /** Auto memberships those users received. */
  autoAssigned: number;
}

export abstract class UserRegistry {
  /** Makes the users known; each new one joins every auto segment whose range covers them. */
  abstract register(userIds: number[], now: Date): Promise<Registration>;
}
