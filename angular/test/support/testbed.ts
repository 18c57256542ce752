// Angular's TestBed in jsdom, JIT-compiling the test components (hence @angular/compiler). A zone.js test file
// imports 'zone.js' before this module.
import '@angular/compiler';
import { Input } from '@angular/core';
import { getTestBed } from '@angular/core/testing';
import { BrowserTestingModule, platformBrowserTesting } from '@angular/platform-browser/testing';

getTestBed().initTestEnvironment(BrowserTestingModule, platformBrowserTesting(), {
  errorOnUnknownElements: true,
  errorOnUnknownProperties: true,
});

/**
 * What Angular's JIT transform (the one `ng test` applies) puts on a signal input, `input()` or `input.required()`,
 * so that a JIT-compiled component knows it: the test components are compiled without it.
 *
 * @example
 * ```ts
 * @signalInput('label') readonly label = input.required<string>();
 * ```
 */
export function signalInput(
  alias: string,
  required = true,
): (target: object | undefined, key: unknown) => void {
  // `isSignal` is not in the public type of the decorator's options. The type above fits both a legacy property
  // decorator (what the tests compile with) and a standard one (what the root type check reads).
  return Input({ isSignal: true, alias, required } as Input) as (
    target: object | undefined,
    key: unknown,
  ) => void;
}
