// A message with the header fields SORT and THREAD transcripts (RFC 5256) vary.
export function mail(h: {
  subject: string
  date?: string
  from?: string
  to?: string
  cc?: string
  id?: string
  refs?: string
  inReplyTo?: string
  body?: string
}): string {
  return [
    `From: ${h.from ?? 'sender@remote.example'}`,
    `To: ${h.to ?? 'alice@example.test'}`,
    ...(h.cc === undefined ? [] : [`Cc: ${h.cc}`]),
    `Subject: ${h.subject}`,
    ...(h.date === undefined ? [] : [`Date: ${h.date}`]),
    ...(h.id === undefined ? [] : [`Message-ID: <${h.id}>`]),
    ...(h.refs === undefined ? [] : [`References: ${h.refs}`]),
    ...(h.inReplyTo === undefined ? [] : [`In-Reply-To: ${h.inReplyTo}`]),
    '',
    h.body ?? 'text',
    '',
  ].join('\r\n')
}
