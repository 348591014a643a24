import { ConflictingChangesError, InvalidInputError } from './errors/errors';
import { ExpirySpec, resolveExpiry } from './expiry';

export const MAX_SLUGS_PER_LIST = 100;

export interface AddItem extends ExpirySpec {
  slug: string;
}

export interface ChangeSetInput extends ExpirySpec {
  add?: Array<string | AddItem>;
  remove?: string[];
}

export interface PlannedAdd {
  slug: string;
  /** null: the membership is permanent. */
  expiresAt: Date | null;
}

export interface ChangeSetPlan {
  add: PlannedAdd[];
  remove: string[];
}

/** Checks the change set's rules and fixes every expiry against `now`. */
export function planChangeSet(input: ChangeSetInput, now: Date): ChangeSetPlan {
  const add = input.add ?? [];
  const remove = [...new Set(input.remove ?? [])];
  if (add.length === 0 && remove.length === 0) {
    throw new InvalidInputError('the change set is empty: give at least one slug in add or remove');
  }
  if (add.length > MAX_SLUGS_PER_LIST || remove.length > MAX_SLUGS_PER_LIST) {
    throw new InvalidInputError(`add and remove take at most ${MAX_SLUGS_PER_LIST} slugs each`);
  }
  const defaultExpiry = resolveExpiry(input, now, 'change set') ?? null;
  const planned = new Map<string, PlannedAdd>();
  for (const item of add) {
    const { slug, ...spec } = typeof item === 'string' ? { slug: item } : item;
    if (planned.has(slug)) {
      throw new InvalidInputError(`segment ${slug} is listed twice in add`, { slugs: [slug] });
    }
    const expiresAt = resolveExpiry(spec, now, `add ${slug}`) ?? defaultExpiry;
    planned.set(slug, { slug, expiresAt });
  }
  const conflicting = remove.filter((slug) => planned.has(slug));
  if (conflicting.length > 0) throw new ConflictingChangesError(conflicting);
  return { add: [...planned.values()], remove };
}
