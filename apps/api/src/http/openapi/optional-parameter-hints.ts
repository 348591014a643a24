import { ExampleObject, ParameterObject, ReferenceObject } from '@nestjs/swagger';

type Parameter = ParameterObject | ReferenceObject;

/**
 * Swagger UI's Try it out fills every parameter with its example (`example`, `examples` or the schema's)
 * and sends what it filled: an optional one would narrow the answer (history from 2023 only, a report for
 * user 1000 only) unless the user cleared it. So an optional parameter carries no example: its example
 * becomes a hint in its description, and its field starts empty. A default stays: sending it changes nothing.
 */
export function exampleAsHint(parameter: Parameter): Parameter {
  if ('$ref' in parameter || parameter.required) return parameter;
  const { example: own, examples, schema, ...rest } = parameter;
  const inline = schema && !('$ref' in schema) ? schema : undefined;
  const { example: fromSchema, ...schemaWithoutExample } = inline ?? {};
  const example = own ?? fromSchema ?? firstValue(examples);
  const hinted: ParameterObject = { ...rest, schema: inline ? schemaWithoutExample : schema };
  if (example === undefined || example === inline?.default) return hinted;
  const code = `\`${String(example)}\``;
  return {
    ...hinted,
    description: rest.description ? `${rest.description}, for example ${code}` : `For example ${code}`,
  };
}

function firstValue(examples: Record<string, ExampleObject | ReferenceObject> | undefined): unknown {
  const first = Object.values(examples ?? {}).find((example): example is ExampleObject => !('$ref' in example));
  return first?.value;
}
