import { applyDecorators } from '@nestjs/common';
import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, ValidateBy } from 'class-validator';
import { isValidUserId, MAX_USER_ID } from '@app/domain';
import { ApiSchemaRules, CLOSED } from '../../http/openapi/openapi-schema-rules';
import { USER_ID_SCHEMA } from '../../common/path-params';

export const MAX_USERS_PER_REGISTRATION = 10_000;
export const MAX_USERS_PER_LOOKUP = 1_000;

/** `user_ids`: 1 to `max` user ids, each an integer from 1 to 2^53-1. */
function UserIds(max: number): PropertyDecorator {
  return applyDecorators(
    ApiProperty({ type: 'array', items: USER_ID_SCHEMA, example: [1000, 1001, 1002], minItems: 1, maxItems: max }),
    IsArray(),
    ArrayMinSize(1),
    ArrayMaxSize(max),
    ValidateBy(
      {
        name: 'isUserId',
        validator: {
          validate: (value: unknown) => isValidUserId(value),
          defaultMessage: () => `each user_ids item must be an integer from 1 to ${MAX_USER_ID}`,
        },
      },
      { each: true },
    ),
  );
}

@ApiSchemaRules(CLOSED)
export class RegisterUsersDto {
  @UserIds(MAX_USERS_PER_REGISTRATION)
  user_ids!: number[];
}

@ApiSchemaRules(CLOSED)
export class LookupUsersDto {
  @UserIds(MAX_USERS_PER_LOOKUP)
  user_ids!: number[];
}
