// The contract between the outbound queue (which decides what to send when) and the transport
// that talks SMTP to the recipient domain's servers (MX lookup, MTA-STS, TLS, the SMTP client).
// One call delivers one message to the recipients of one domain (RFC 5321 3.3: recipients of
// the same domain share one transaction).

export interface TransportRecipient {
  /** The queue's recipient id, echoed in the outcome. */
  id: number
  address: string
  /** RFC 3461 NOTIFY and ORCPT, passed on when the server offers DSN. */
  notify?: ('NEVER' | 'SUCCESS' | 'FAILURE' | 'DELAY')[]
  orcpt?: string
}

export interface DeliveryRequest {
  /** The recipient domain (lower case, A-label); every recipient is in it. */
  domain: string
  /** Envelope sender; '' for the null sender (DSNs). */
  mailFrom: string
  recipients: TransportRecipient[]
  /** The message as stored, CRLF line ends. */
  message: Buffer
  /** RFC 3461 RET and ENVID. */
  ret?: 'FULL' | 'HDRS'
  envid?: string
  /** The message needs SMTPUTF8 (non-ASCII addresses or headers, RFC 6531). */
  smtputf8?: boolean
  /** The body has 8-bit bytes (BODY=8BITMIME, RFC 6152). */
  eightBit?: boolean
}

export interface RemoteReply {
  code: number
  /** Enhanced status code (RFC 3463) when the server gave one, e.g. "5.1.1". */
  enhanced?: string
  text: string
}

/**
 * What happened to one recipient: delivered (2xx after DATA), temporary failure (4xx, or the
 * connection could not be made or broke: retry later), permanent failure (5xx, null MX, an
 * MTA-STS policy that cannot be met... : bounce).
 */
export interface RecipientOutcome {
  id: number
  kind: 'delivered' | 'temporary' | 'permanent'
  /** The reply that decided it, or a synthesised one for local failures (DNS, TLS, timeout). */
  reply: RemoteReply
  /** The server that answered ("mx.example.com [192.0.2.1]"), when one did. */
  remoteHost?: string
}

export interface DeliveryOutcome {
  recipients: RecipientOutcome[]
  /**
   * The remote asked us to slow down (421, or a 4.7.x / "rate" reply): the queue backs off the
   * whole domain, not only these recipients.
   */
  slowDown?: boolean
  /** Every step tried (each MX host, TLS or not, the replies), for the queue's history. */
  log: string[]
}

export interface Transport {
  deliver(request: DeliveryRequest): Promise<DeliveryOutcome>
  /** Closes cached connections. */
  close(): Promise<void>
}
