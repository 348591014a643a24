import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { InvalidInputError } from '@app/domain';
import { requestShapeProblem } from './request-shape';

interface FieldError {
  field: string;
  messages: string[];
}

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    // Several rules of one field often share a message ("limit must be an integer from 1 to 1000"): say it once.
    const own = error.constraints ? [{ field, messages: [...new Set(Object.values(error.constraints))] }] : [];
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/**
 * Validates bodies and query strings. Path parameters are left to their own pipes (ParseUserIdPipe,
 * ParseSlugPipe): the stock pipe would first coerce "1e3" or "0012" into a number.
 */
class RequestValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'param') return Promise.resolve(value);
    const problem = requestShapeProblem(value);
    if (problem) return Promise.reject(new InvalidInputError(problem));
    return super.transform(value, metadata);
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
    exceptionFactory: (errors) => {
      const fields = flatten(errors);
      const message = fields.map((field) => field.messages.join('; ')).join('; ') || 'invalid request';
      return new InvalidInputError(message, { errors: fields });
    },
  });
}
