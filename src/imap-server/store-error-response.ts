// Store errors a command did not map itself, as the response codes of RFC 9051 7.1 (and
// RFC 9208 4.3 OVERQUOTA): used by the session's one error mapping.
import type { StoreError } from '../store/store-error.ts'
import type { Completion } from './session.ts'

/** Store errors a command did not map itself: the response codes of RFC 9051 7.1. */
export function storeErrorCompletion(err: StoreError): Completion {
  switch (err.code) {
    case 'mailbox-not-found':
      return { status: 'NO', text: 'no such mailbox', code: 'NONEXISTENT' }
    case 'mailbox-exists':
      return { status: 'NO', text: 'mailbox already exists', code: 'ALREADYEXISTS' }
    case 'mailbox-has-children':
      return { status: 'NO', text: 'mailbox has inferior mailboxes', code: 'HASCHILDREN' }
    case 'mailbox-forbidden':
      return { status: 'NO', text: err.message, code: 'CANNOT' }
    case 'over-quota':
      return { status: 'NO', text: 'over quota', code: 'OVERQUOTA' } // RFC 9208 4.3
    case 'invalid-input':
      return { status: 'NO', text: err.message, code: 'CANNOT' }
    case 'account-not-found':
    case 'address-taken':
    case 'closed':
    case 'domain-exists':
    case 'domain-in-use':
    case 'domain-not-found':
      return { status: 'NO', text: 'temporary failure', code: 'UNAVAILABLE' }
  }
}
