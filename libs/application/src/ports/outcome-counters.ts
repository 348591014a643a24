/** What made auto memberships: a user registered, an auto segment created, its percent raised. */
export type AutoAssignmentTrigger = 'registration' | 'segment_created' | 'segment_updated';

/**
 * What the use cases count as they go: the service's metrics. The CLI counts nothing (NO_COUNTERS).
 */
export abstract class OutcomeCounters {
  abstract autoAssigned(trigger: AutoAssignmentTrigger, memberships: number): void;
  abstract reportBuilt(): void;
  abstract reportStorageFailed(): void;
}

export const NO_COUNTERS: OutcomeCounters = {
  autoAssigned: () => undefined,
  reportBuilt: () => undefined,
  reportStorageFailed: () => undefined,
};
