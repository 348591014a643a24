import { ApiProperty } from '@nestjs/swagger';
import { HistoryReport } from '@app/application';
import { USER_ID_SCHEMA } from '../../common/path-params';

export class HistoryReportResponse {
  @ApiProperty({ example: '2023-08' })
  period!: string;

  @ApiProperty({
    ...USER_ID_SCHEMA,
    example: null,
    nullable: true,
    description: 'The user the report is limited to, or null',
  })
  user_id!: number | null;

  @ApiProperty({ type: 'integer', minimum: 0, example: 2, description: 'Lines in the CSV file, one per history entry' })
  rows!: number;

  @ApiProperty({
    example: 'http://localhost:8080/api/v1/reports/files/history-2023-08-all-ru.csv',
    description: 'Download link: this service’s /api/v1/reports/files/{name}, or a Google Drive link anyone can read',
  })
  url!: string;

  static from(report: HistoryReport): HistoryReportResponse {
    return { period: report.period, user_id: report.userId, rows: report.rows, url: report.url };
  }
}
