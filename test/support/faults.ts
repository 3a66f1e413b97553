/** Stores that fail on cue: each planned fault makes the next calls of one method throw. */
import type { Stores } from "../../src/store/ports.ts";

interface Fault {
  store: keyof Stores;
  method: string;
  remaining: number;
  fired: number;
  error: () => Error;
}

export class Faults {
  private planned: Fault[] = [];
  /** `store.method` of every call that failed. */
  readonly hits: string[] = [];

  /** The next `times` calls of `store.method` throw `error`, by default as a binding that is down would. */
  fail(
    store: keyof Stores,
    method: string,
    times = 1,
    error: () => Error = () => new Error(`injected fault: ${store}.${method} is down`),
  ): void {
    const port = this.ports?.[store] as unknown as Record<string, unknown> | undefined;
    if (port && typeof port[method] !== "function") throw new Error(`${store}.${method} is not a method of the store`);
    this.planned.push({ store, method, remaining: times, fired: 0, error });
  }

  /** The faults planned that no call met: a test that injects one expects it to fire. */
  unfired(): string[] {
    return this.planned.filter((f) => f.fired === 0).map((f) => `${f.store}.${f.method}`);
  }

  clear(): void {
    this.planned = [];
  }

  /** The stores wrapped last, to check that a fault names a method they have. */
  private ports: Stores | null = null;

  wrap = (stores: Stores): Stores => {
    this.ports = stores;
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
              fault.fired++;
              this.hits.push(`${name}.${String(property)}`);
              return Promise.reject(fault.error());
            }
            return value.apply(object, args);
          };
        },
      });
    }
    return wrapped as Stores;
  };
}
