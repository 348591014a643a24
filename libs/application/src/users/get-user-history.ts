import { Injectable } from '@nestjs/common';
import { InvalidInputError } from '@app/domain';
import { HistoryPage, HistoryQuery, HistoryRepository } from '../ports/history-repository';

@Injectable()
export class GetUserHistory {
  constructor(private readonly history: HistoryRepository) {}

  execute(query: HistoryQuery): Promise<HistoryPage> {
    if (query.from && query.to && query.from.getTime() > query.to.getTime()) {
      throw InvalidInputError.of(['from', 'to'], 'from must not be later than to');
    }
    return this.history.pageOfUser(query);
  }
}
