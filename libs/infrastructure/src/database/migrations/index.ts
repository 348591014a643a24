import { InitialSchema1732460000000 } from './1732460000000-initial-schema';

/** Every migration, oldest first. */
export const migrations = [InitialSchema1732460000000];
