import { ReportStorageError } from '@app/domain';
import { OutcomeCounters } from '../ports/outcome-counters';

/** Runs `work`, counting a failure of the report storage itself before passing it on. */
export async function countingStorageFailures<T>(counters: OutcomeCounters, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ReportStorageError) counters.reportStorageFailed();
    throw error;
  }
}
