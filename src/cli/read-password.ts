// Reads a password piped on stdin (`--password-stdin`): all of stdin, minus one trailing
// newline (LF or CRLF). An empty password is refused.
import { CliError } from './cli-error.ts'

export async function readPasswordFromStdin(
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of stdin)
    chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
  const password = Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '')
  if (password === '') throw new CliError('no password on stdin')
  return password
}
