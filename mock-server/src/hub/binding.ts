import type { ParameterType } from './types.js';

/** Whether `value` binds to `type` under the connection's protocol, as ASP.NET Core's binders decide. */
function binds(value: unknown, type: ParameterType, messagepack: boolean): boolean {
  switch (type) {
    case 'any':
      return true;
    case 'string':
      return value === null || typeof value === 'string';
    case 'int':
      return (
        (typeof value === 'number' &&
          Number.isInteger(value) &&
          value >= -0x80000000 &&
          value <= 0x7fffffff) ||
        (typeof value === 'bigint' && value >= -0x80000000n && value <= 0x7fffffffn)
      );
    case 'long':
      return (typeof value === 'number' && Number.isSafeInteger(value)) || typeof value === 'bigint';
    case 'double':
      return typeof value === 'number';
    case 'bool':
      return typeof value === 'boolean';
    case 'object':
      return (
        value === null ||
        (typeof value === 'object' && !Array.isArray(value) && !(value instanceof Uint8Array))
      );
    case 'array':
      return value === null || Array.isArray(value);
    case 'bytes':
      return value === null || (messagepack ? value instanceof Uint8Array : typeof value === 'string');
    case 'date':
      return (
        value === null ||
        (messagepack ? value instanceof Date : typeof value === 'string' && !Number.isNaN(Date.parse(value)))
      );
  }
}

/**
 * The binding error text for `args`, or `undefined` when they bind: JSON reports the arguments as a whole,
 * MessagePack the first argument that fails, as ASP.NET Core's two protocols do.
 */
export function bindingError(
  args: readonly unknown[],
  types: readonly ParameterType[],
  messagepack: boolean,
): string | undefined {
  for (let i = 0; i < types.length; i++) {
    if (!binds(args[i], types[i]!, messagepack)) {
      return messagepack
        ? `Error binding argument ${i}. Make sure that the types of the provided values match the types of the hub method being invoked.`
        : 'Error binding arguments. Make sure that the types of the provided values match the types of the hub method being invoked.';
    }
  }
  return undefined;
}
