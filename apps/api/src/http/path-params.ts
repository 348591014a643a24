import { Injectable, PipeTransform } from '@nestjs/common';
import { InvalidInputError, isValidSlug, MAX_USER_ID, parseUserId } from '@app/domain';

@Injectable()
export class ParseUserIdPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    const userId = parseUserId(value);
    if (userId === undefined) {
      throw new InvalidInputError(`user_id must be an integer from 1 to ${MAX_USER_ID}, got "${value}"`, {
        user_id: value,
      });
    }
    return userId;
  }
}

@Injectable()
export class ParseSlugPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isValidSlug(value)) {
      throw new InvalidInputError(
        'slug must be 1-100 characters of letters, digits, "_", "." or "-", starting with a letter or digit',
        { slug: value },
      );
    }
    return value;
  }
}
