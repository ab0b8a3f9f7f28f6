/**
 * Steps and notes from a run's transcript, for logs that do not carry `step` and `narration`
 * events themselves. The transcript stamps every line with its run time
 * (`[01:34.100] $ kubectl get pods`, then the output; `[00:05.200] # a note`), so each stamped
 * line becomes an event at that time.
 */
import type { NarrationEvent, StepEvent } from '../../model/events.js';

const STAMP = /^\[(?:(\d+):)?(\d+):(\d{2})\.(\d{3})\] ([$#]) (.*)$/;

/** `[1:02:03.004]` / `[02:03.004]` as milliseconds. */
function stampMs(h: string | undefined, m: string, s: string, ms: string): number {
  return ((Number(h ?? 0) * 60 + Number(m)) * 60 + Number(s)) * 1000 + Number(ms);
}

export function eventsFromTranscript(transcript: string): (StepEvent | NarrationEvent)[] {
  const out: (StepEvent | NarrationEvent)[] = [];
  let step: StepEvent | undefined;
  let output: string[] = [];
  const flush = (): void => {
    if (step) out.push({ ...step, output: output.join('\n').replace(/\n+$/, '') });
    step = undefined;
    output = [];
  };
  let index = 0;
  for (const line of transcript.split('\n')) {
    const m = STAMP.exec(line);
    if (m) {
      flush();
      const t = stampMs(m[1], m[2]!, m[3]!, m[4]!);
      const text = m[6]!;
      if (m[5] === '$') step = { t, type: 'step', index: index++, command: text, output: '', ok: true };
      else out.push({ t, type: 'narration', text });
      continue;
    }
    if (!step) continue;
    // The summary after the last step is not part of any step's output.
    if (/^Summary \(run time /.test(line)) {
      flush();
      break;
    }
    output.push(line);
  }
  flush();
  return out;
}
