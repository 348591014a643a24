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
    throw InvalidInputError.of('body', 'the change set is empty: give at least one slug in add or remove');
  }
  const tooLong = Object.entries({ add, remove }).filter(([, list]) => list.length > MAX_SLUGS_PER_LIST);
  if (tooLong.length > 0) {
    const fields = tooLong.map(([name]) => name);
    throw InvalidInputError.of(fields, `add and remove take at most ${MAX_SLUGS_PER_LIST} slugs each`);
  }
  const defaultExpiry = resolveExpiry(input, now, 'change set') ?? null;
  const planned = new Map<string, PlannedAdd>();
  for (const [index, item] of add.entries()) {
    const { slug, ...spec } = typeof item === 'string' ? { slug: item } : item;
    if (planned.has(slug)) {
      throw InvalidInputError.of(`add[${index}]`, `segment ${slug} is listed twice in add`);
    }
    const expiresAt = resolveExpiry(spec, now, `add ${slug}`, `add[${index}].`) ?? defaultExpiry;
    planned.set(slug, { slug, expiresAt });
  }
  const conflicting = remove.filter((slug) => planned.has(slug));
  if (conflicting.length > 0) throw new ConflictingChangesError(conflicting);
  return { add: [...planned.values()], remove };
}
