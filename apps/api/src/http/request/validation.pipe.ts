import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { InvalidInputError } from '@app/domain';
import { fieldErrorsOf, RequestPart } from './field-errors';
import { requestShapeProblem } from './request-shape';

/** class-validator's findings, on their way to `transform`, which knows which part of the request they are about. */
class ValidationFindings {
  constructor(readonly errors: ValidationError[]) {}
}

/**
 * Validates bodies and query strings. Path parameters are left to their own pipes (ParseUserIdPipe,
 * ParseSlugPipe): the stock pipe would first coerce "1e3" or "0012" into a number.
 */
class RequestValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'param') return value;
    const part: RequestPart = metadata.type === 'query' ? 'query' : 'body';
    // A list or a bare value would reach the validators as an object of its indexes ("unknown field: 0").
    if (
      part === 'body' &&
      value !== undefined &&
      value !== null &&
      (typeof value !== 'object' || Array.isArray(value))
    ) {
      throw InvalidInputError.of('body', 'the body must be a JSON object');
    }
    const problem = requestShapeProblem(value, part);
    if (problem) throw InvalidInputError.of(problem.field, problem.message);
    try {
      return (await super.transform(value, metadata)) as unknown;
    } catch (error) {
      if (!(error instanceof ValidationFindings)) throw error;
      const fields = fieldErrorsOf(error.errors, part);
      throw fields.length > 0 ? new InvalidInputError(fields) : InvalidInputError.of(part, 'invalid request');
    }
  }
}

/** Whitelisting, unknown fields rejected, no implicit type coercion; failures become VALIDATION_FAILED. */
export function createValidationPipe(): ValidationPipe {
  return new RequestValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new ValidationFindings(errors),
  });
}
