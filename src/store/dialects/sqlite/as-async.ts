// Runs a synchronous better-sqlite3 call behind the store's async contract: the result
// resolves, and anything thrown becomes a rejection (never a synchronous throw).

export function asAsync<T>(fn: () => T): Promise<T> {
  return new Promise<T>((resolve) => {
    resolve(fn())
  })
}
