import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, ValidateBy } from 'class-validator';
import { isValidUserId, MAX_USER_ID } from '@app/domain';
import { ApiSchemaRules, CLOSED } from '../../http/openapi/openapi-schema-rules';
import { USER_ID_SCHEMA } from '../../common/path-params';

export const MAX_USERS_PER_REGISTRATION = 10_000;

@ApiSchemaRules(CLOSED)
export class RegisterUsersDto {
  @ApiProperty({
    type: 'array',
    items: USER_ID_SCHEMA,
    example: [1000, 1001, 1002],
    minItems: 1,
    maxItems: MAX_USERS_PER_REGISTRATION,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_USERS_PER_REGISTRATION)
  @ValidateBy(
    {
      name: 'isUserId',
      validator: {
        validate: (value: unknown) => isValidUserId(value),
        defaultMessage: () => `each user_ids item must be an integer from 1 to ${MAX_USER_ID}`,
      },
    },
    { each: true },
  )
  user_ids!: number[];
}
