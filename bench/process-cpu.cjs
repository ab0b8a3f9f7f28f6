// Preloaded (`node --require bench/process-cpu.cjs bin/knsim.js …`) by the bench's whole-process
// cases: when the process exits it writes its CPU to the file named by KNSIM_BENCH_CPU_FILE, as
// JSON. `cpuMs` is the process's getrusage (user + system, every thread, from the process's start:
// Node's own start, loading the build, the run, V8's compile and GC threads) up to its `exit`
// event, which `knsim run` reaches through process.exit; only the teardown after it is left out.
// `mainThreadCpuMs` and `otherThreadsCpuMs` split it by thread (/proc/self/task, Linux only, in
// clock ticks of 10 ms): the main thread runs the simulation, the others are V8's workers
// (TurboFan's compiles, concurrent marking and sweeping) and libuv's.
'use strict';
const { readdirSync, readFileSync, writeFileSync } = require('node:fs');

const out = process.env.KNSIM_BENCH_CPU_FILE;
/** User + system CPU of one thread, ms, from its /proc stat line (fields 14 and 15, after the name). */
function threadCpuMs(tid) {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

if (out) {
  process.on('exit', () => {
    const usage = process.resourceUsage();
    const threads = {};
    try {
      let main = 0;
      let other = 0;
      for (const tid of readdirSync('/proc/self/task')) {
        if (Number(tid) === process.pid) main += threadCpuMs(tid);
        else other += threadCpuMs(tid);
      }
      Object.assign(threads, { mainThreadCpuMs: main, otherThreadsCpuMs: other });
    } catch {
      // No /proc (not Linux): the process's total only.
    }
    writeFileSync(
      out,
      JSON.stringify({
        cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000,
        processPeakRssMb: (usage.maxRSS * 1024) / 1e6, // getrusage gives KiB
        ...threads,
      }),
    );
  });
}
