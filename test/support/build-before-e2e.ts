import { buildIfStale } from './built-app';

/** jest globalSetup of the e2e projects: the suites that spawn dist/ never run an old build. */
export default function buildBeforeE2e(): void {
  buildIfStale();
}
