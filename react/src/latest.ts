import { useInsertionEffect, useRef, type RefObject } from 'react';

/**
 * A ref to the latest value rendered, updated when the render commits (before any effect or event runs), so that
 * a subscription made once can call the newest handler without being made again.
 */
export function useLatest<T>(value: T): RefObject<T> {
  const ref = useRef(value);
  useInsertionEffect(() => {
    ref.current = value;
  });
  return ref;
}
