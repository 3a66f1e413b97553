/** Stores that fail on cue: each planned fault makes the next calls of one method throw. */
import type { Stores } from "../../src/store/ports.ts";

interface Fault {
  store: keyof Stores;
  method: string;
  remaining: number;
}

export class Faults {
  private planned: Fault[] = [];
  /** `store.method` of every call that failed. */
  readonly hits: string[] = [];

  /** The next `times` calls of `store.method` throw, as a binding that is down would. */
  fail(store: keyof Stores, method: string, times = 1): void {
    this.planned.push({ store, method, remaining: times });
  }

  clear(): void {
    this.planned = [];
  }

  wrap = (stores: Stores): Stores => {
    const wrapped = {} as Record<keyof Stores, unknown>;
    for (const name of Object.keys(stores) as (keyof Stores)[]) {
      const target = stores[name] as object;
      wrapped[name] = new Proxy(target, {
        get: (object, property, receiver) => {
          const value = Reflect.get(object, property, receiver);
          if (typeof value !== "function") return value;
          return (...args: unknown[]) => {
            const fault = this.planned.find((f) => f.store === name && f.method === property && f.remaining > 0);
            if (fault) {
              fault.remaining--;
              this.hits.push(`${name}.${String(property)}`);
              return Promise.reject(new Error(`injected fault: ${name}.${String(property)} is down`));
            }
            return value.apply(object, args);
          };
        },
      });
    }
    return wrapped as Stores;
  };
}
