import { Injectable } from '@nestjs/common';
import { HistoryEntry, InvalidInputError } from '@app/domain';
import { HistoryRepository } from '../ports/history-repository';

@Injectable()
export class GetUserHistory {
  constructor(private readonly history: HistoryRepository) {}

  execute(input: { userId: number; from?: Date; to?: Date }): Promise<HistoryEntry[]> {
    if (input.from && input.to && input.from.getTime() > input.to.getTime()) {
      throw new InvalidInputError('from must not be later than to');
    }
    return this.history.ofUser(input.userId, input.from, input.to);
  }
}
