// Stage "parse": scans the header block once for the facts later stages need.
import { scanHeaders } from '../../mail/header-scan.ts'
import { proceed, type PipelineContext, type StageResult } from './context.ts'

export function parse(ctx: PipelineContext): StageResult {
  ctx.headers = scanHeaders(ctx.body)
  return proceed
}
