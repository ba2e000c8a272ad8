// SUBSCRIBE and UNSUBSCRIBE (RFC 9051 6.3.7, 6.3.8): "SUBSCRIBE" SP mailbox.

export { parse } from './delete.ts'
export type { MailboxArgs as SubscribeArgs } from './delete.ts'
