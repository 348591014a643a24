import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, ValidateBy } from 'class-validator';
import { isValidUserId, MAX_USER_ID } from '@app/domain';

export const MAX_USERS_PER_REGISTRATION = 10_000;

export class RegisterUsersDto {
  @ApiProperty({ type: [Number], example: [1000, 1001, 1002], minItems: 1, maxItems: MAX_USERS_PER_REGISTRATION })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_USERS_PER_REGISTRATION)
  @ValidateBy({
    name: 'isUserId',
    validator: {
      validate: (value: unknown) => isValidUserId(value),
      defaultMessage: () => `each user_ids item must be an integer from 1 to ${MAX_USER_ID}`,
    },
  }, { each: true })
  user_ids!: number[];
}
