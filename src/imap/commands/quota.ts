// GETQUOTA and GETQUOTAROOT (RFC 9208 4.2, 4.3): getquota = "GETQUOTA" SP quota-root-name;
// getquotaroot = "GETQUOTAROOT" SP mailbox.

import type { ArgCursor } from '../arg-cursor.ts'

export interface GetQuotaArgs {
  /** RFC 9208 7: quota-root-name = astring ("" is a valid root). */
  root: string
}

export interface GetQuotaRootArgs {
  mailbox: string
}

export function parseGetQuota(c: ArgCursor): GetQuotaArgs {
  c.sp()
  const root = c.astring('quota root')
  c.expectEnd()
  return { root }
}

export function parseGetQuotaRoot(c: ArgCursor): GetQuotaRootArgs {
  c.sp()
  const mailbox = c.mailbox()
  c.expectEnd()
  return { mailbox }
}
