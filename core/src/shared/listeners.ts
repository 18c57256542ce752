/**
 * The listeners of a store whose activity costs something (a retained hub, a running stream). The first listener
 * activates it; when the last leaves, it deactivates after the current task's microtasks, so that leaving and
 * coming back at once (React's StrictMode runs every effect's cleanup and setup twice on mount) neither cancels nor
 * restarts anything.
 */
export class Listeners {
  readonly #listeners = new Set<() => void>();
  readonly #activate: () => void;
  readonly #deactivate: () => void;
  #active = false;
  #leaving = false;

  constructor(activate: () => void, deactivate: () => void) {
    this.#activate = activate;
    this.#deactivate = deactivate;
  }

  /** Whether the store is active: it has listeners, or had some until a moment ago. */
  get active(): boolean {
    return this.#active;
  }

  add(listener: () => void): () => void {
    const entry = () => listener();
    this.#listeners.add(entry);
    this.#leaving = false;
    if (!this.#active) {
      this.#active = true;
      this.#activate();
    }
    return () => {
      if (!this.#listeners.delete(entry) || this.#listeners.size > 0) return;
      this.#leaving = true;
      queueMicrotask(() => {
        if (!this.#leaving || this.#listeners.size > 0) return;
        this.#leaving = false;
        this.#active = false;
        this.#deactivate();
      });
    };
  }

  notify(): void {
    if (this.#listeners.size === 1) {
      for (const listener of this.#listeners) listener();
      return;
    }
    for (const listener of [...this.#listeners]) listener();
  }
}
