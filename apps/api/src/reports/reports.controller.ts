import { Controller, Get, Header, Param, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { BuildHistoryReport, OpenReportFile } from '@app/application';
import { ApiErrors } from '../http/errors/api-errors.decorator';
import { QueryParameters } from '../http/request/query-parameters';
import { HistoryReportQuery } from './dto/history-report-query.dto';
import { HistoryReportResponse } from './dto/history-report.response';

@ApiTags('reports')
@Controller('api/v1/reports')
export class ReportsController {
  constructor(
    private readonly buildHistoryReport: BuildHistoryReport,
    private readonly openReportFile: OpenReportFile,
  ) {}

  @Get('history')
  @ApiOperation({
    operationId: 'buildHistoryReport',
    summary: 'Write a month of membership history as CSV and answer its link',
    description:
      'One line per join or leave in the month (UTC): `user_id;segment;операция;YYYY-MM-DD HH:MM:SS`, no header, ' +
      '`\\n` line ends, ordered by time, user_id, segment. The same period, user and language always give the same ' +
      'file, so a new run replaces it and the link stays valid.',
  })
  @ApiOkResponse({ type: HistoryReportResponse, description: 'The report is written; url is where to download it' })
  @ApiErrors('VALIDATION_FAILED', 'INVALID_PERIOD', 'REPORT_STORAGE_FAILED', 'REPORTS_BUSY')
  async history(@QueryParameters() query: HistoryReportQuery): Promise<HistoryReportResponse> {
    const report = await this.buildHistoryReport.execute({
      period: query.period,
      userId: query.user_id ?? null,
      language: query.lang,
    });
    return HistoryReportResponse.from(report);
  }

  @Get('files/:name')
  @ApiOperation({
    operationId: 'downloadReportFile',
    summary: 'Download a report file written by the local report storage (the url of a history report)',
  })
  @ApiParam({
    name: 'name',
    description:
      'The file name from a report url; any other name is 404. A file deleted to keep report storage bounded ' +
      '(REPORT_RETENTION_HOURS, REPORT_MAX_FILES) is 410 (404 once this instance no longer remembers it): run the report again',
    schema: { type: 'string', example: 'history-2023-08-all-ru.csv' },
  })
  @ApiOkResponse({
    description: 'The CSV file, as an attachment (Content-Disposition)',
    content: { 'text/csv': { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiErrors('REPORT_NOT_FOUND', 'REPORT_EXPIRED', 'REPORT_STORAGE_FAILED')
  // A new run replaces the file under the same name: caches must ask again.
  @Header('Cache-Control', 'no-cache')
  async file(@Param('name') name: string): Promise<StreamableFile> {
    const file = await this.openReportFile.execute(name);
    return new StreamableFile(file.content, {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="${name}"`,
      length: file.size,
    });
  }
}
