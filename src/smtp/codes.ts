// SMTP reply codes (RFC 5321 4.2.2, 4.2.3) and enhanced status codes (RFC 3463, with
// additions from RFC 4954, RFC 6531, RFC 7372 and RFC 7505), the typed SmtpReplyError thrown
// anywhere and turned into a reply in one place, and formatReply, which writes the reply
// lines (RFC 5321 4.2.1, enhanced code on every line per RFC 2034 3).

// RFC 5321 4.2.2: basic reply codes, by number.
export const C211SystemStatus = 211
export const C214Help = 214
export const C220ServiceReady = 220
export const C221Closing = 221
export const C235AuthSucceeded = 235 // RFC 4954 6
export const C250Ok = 250
export const C251UserNotLocal = 251
export const C252CannotVerify = 252
export const C334AuthContinue = 334 // RFC 4954 4
export const C354StartMailInput = 354
export const C421ServiceUnavailable = 421
export const C432PasswordTransition = 432 // RFC 4954 6
export const C450MailboxUnavailable = 450
export const C451LocalError = 451
export const C452InsufficientStorage = 452
export const C454TempAuthFailure = 454 // RFC 4954 6
export const C454TlsNotAvailable = 454 // RFC 3207 4
export const C455ParamsNotAccommodated = 455
export const C500SyntaxError = 500
export const C501ParamSyntax = 501
export const C502NotImplemented = 502
export const C503BadSequence = 503
export const C504ParamNotImplemented = 504
export const C521NoMail = 521 // RFC 7504 3
export const C530AuthRequired = 530 // RFC 4954 6
export const C534AuthMechTooWeak = 534 // RFC 4954 6
export const C535AuthCredentialsInvalid = 535 // RFC 4954 6
export const C538EncryptionRequired = 538 // RFC 4954 6
export const C550MailboxUnavailable = 550
export const C551UserNotLocal = 551
export const C552ExceededStorage = 552
export const C553MailboxNameNotAllowed = 553
export const C554TransactionFailed = 554
export const C555ParamsNotRecognized = 555

// RFC 3463 3: enhanced status codes, "class.subject.detail". Named after the RFC's text.
// RFC 3463 3.1: X.0.0 other or undefined status.
export const Es200Other = '2.0.0'
export const Es400Other = '4.0.0'
export const Es500Other = '5.0.0'

// RFC 3463 3.2: address status.
export const Es210OtherAddress = '2.1.0'
export const Es410OtherAddress = '4.1.0'
export const Es510OtherAddress = '5.1.0'
export const Es511BadDestMailbox = '5.1.1'
export const Es512BadDestSystem = '5.1.2'
export const Es513BadDestSyntax = '5.1.3'
export const Es514DestAmbiguous = '5.1.4'
export const Es215DestValid = '2.1.5'
export const Es516DestMoved = '5.1.6'
export const Es517BadSenderSyntax = '5.1.7'
export const Es518BadSenderSystem = '5.1.8'
export const Es5110RecipientNullMx = '5.1.10' // RFC 7505 4.1

// RFC 3463 3.3: mailbox status.
export const Es420OtherMailbox = '4.2.0'
export const Es520OtherMailbox = '5.2.0'
export const Es521MailboxDisabled = '5.2.1'
export const Es422MailboxFull = '4.2.2'
export const Es522MailboxFull = '5.2.2'
export const Es523MsgLengthExceedsLimit = '5.2.3'
export const Es524ListExpansion = '5.2.4'

// RFC 3463 3.4: mail system status.
export const Es430OtherSystem = '4.3.0'
export const Es530OtherSystem = '5.3.0'
export const Es431SystemFull = '4.3.1'
export const Es432NotAccepting = '4.3.2'
export const Es532NotAccepting = '5.3.2'
export const Es533FeatureUnsupported = '5.3.3'
export const Es534MsgTooBig = '5.3.4'
export const Es435SystemMisconfigured = '4.3.5'
export const Es535SystemMisconfigured = '5.3.5'

// RFC 3463 3.5: network and routing status.
export const Es440OtherNetwork = '4.4.0'
export const Es441NoAnswer = '4.4.1'
export const Es442BadConnection = '4.4.2'
export const Es443DirectoryFailure = '4.4.3'
export const Es543DirectoryFailure = '5.4.3'
export const Es444UnableToRoute = '4.4.4'
export const Es544UnableToRoute = '5.4.4'
export const Es445Congestion = '4.4.5'
export const Es546RoutingLoop = '5.4.6'
export const Es447DeliveryExpired = '4.4.7'
export const Es547DeliveryExpired = '5.4.7'

// RFC 3463 3.6: mail delivery protocol status.
export const Es450OtherProtocol = '4.5.0'
export const Es550OtherProtocol = '5.5.0'
export const Es551InvalidCommand = '5.5.1'
export const Es552SyntaxError = '5.5.2'
export const Es453TooManyRecipients = '4.5.3'
export const Es553TooManyRecipients = '5.5.3'
export const Es554InvalidArguments = '5.5.4'
export const Es555WrongProtocolVersion = '5.5.5'
export const Es556AuthLineTooLong = '5.5.6' // RFC 4954 6

// RFC 3463 3.7: message content or media status.
export const Es560OtherMedia = '5.6.0'
export const Es561MediaUnsupported = '5.6.1'
export const Es562ConversionProhibited = '5.6.2'
export const Es563ConversionUnsupported = '5.6.3'
export const Es567NonAsciiAddress = '5.6.7' // RFC 6531 3.5

// RFC 3463 3.8: security or policy status.
export const Es270Other = '2.7.0' // RFC 4954 6: authentication succeeded
export const Es470Other = '4.7.0'
export const Es570Other = '5.7.0'
export const Es471DeliveryNotAuthorized = '4.7.1'
export const Es571DeliveryNotAuthorized = '5.7.1'
export const Es572ListExpansionProhibited = '5.7.2'
export const Es573SecurityConversion = '5.7.3'
export const Es574SecurityUnsupported = '5.7.4'
export const Es575CryptoFailure = '5.7.5'
export const Es475CryptoFailure = '4.7.5' // RFC 8461 5.1: MTA-STS failures are temporary
export const Es576CryptoAlgUnsupported = '5.7.6'
export const Es577IntegrityFailure = '5.7.7'
export const Es578AuthCredentialsInvalid = '5.7.8' // RFC 4954 6
export const Es579AuthMechTooWeak = '5.7.9' // RFC 4954 6
export const Es5711EncryptionRequired = '5.7.11' // RFC 4954 6
export const Es4712PasswordTransition = '4.7.12' // RFC 4954 6
export const Es5720NoDkimPass = '5.7.20' // RFC 7372 3.1
export const Es5723SpfFailed = '5.7.23' // RFC 7372 3.2
export const Es4724SpfTempError = '4.7.24' // RFC 7372 3.2
export const Es5725ReverseDnsFailed = '5.7.25' // RFC 7372 3.3
export const Es5726MultipleAuthFailed = '5.7.26' // RFC 7372 3.4
export const Es5727SenderNullMx = '5.7.27' // RFC 7505 4.2

/** Options for SmtpReplyError beyond code, enhanced code and text. */
export interface SmtpReplyErrorOptions {
  /** The session closes the connection after writing this reply (e.g. 421). */
  closes?: boolean
  cause?: unknown
}

/**
 * A reply the session must send, thrown at any depth and mapped to the wire in one place.
 * `text` may hold several lines separated by "\n"; formatReply splits them.
 */
export class SmtpReplyError extends Error {
  readonly code: number
  readonly enhanced: string | undefined
  readonly text: string
  readonly closes: boolean

  constructor(
    code: number,
    enhanced: string | undefined,
    text: string,
    opts: SmtpReplyErrorOptions = {},
  ) {
    super(`${code}${enhanced === undefined ? '' : ` ${enhanced}`} ${text}`, { cause: opts.cause })
    this.name = 'SmtpReplyError'
    this.code = code
    this.enhanced = enhanced
    this.text = text
    this.closes = opts.closes ?? false
  }
}

/**
 * Builds a reply: one line per text line, "250-" on all but the last (RFC 5321 4.2.1), each
 * line prefixed with the enhanced code when given (RFC 2034 3), each ended by CRLF. CR and LF
 * inside a text are treated as line breaks so a reply can never smuggle extra lines.
 */
export function formatReply(
  code: number,
  enhanced: string | undefined,
  text: string | readonly string[],
): string {
  const lines = (typeof text === 'string' ? [text] : text).flatMap((t) => t.split(/\r\n|\r|\n/))
  if (lines.length === 0) lines.push('')
  const prefix = enhanced === undefined ? '' : `${enhanced} `
  let out = ''
  lines.forEach((line, i) => {
    const sep = i === lines.length - 1 ? ' ' : '-'
    const body = `${prefix}${line}`
    // RFC 5321 4.2: "Reply-code [ SP textstring ]"; omit the space when there is no text.
    out += body === '' && sep === ' ' ? `${code}\r\n` : `${code}${sep}${body}\r\n`
  })
  return out
}
