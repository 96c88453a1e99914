// Our engine on the benchmark configurations (bench/Common/BenchConfig.cs), timed by the shared
// harness, plus the machine's FMA peak. Usage: [ids...] | peak | report ours.jsonl theirs.jsonl [peak.jsonl]
// | kernel [rounds [threads]] | prediction-ab|packing-ab <I1|I2|I3> [seconds] | adam-ab | cold <B1|B2|B3> [epochs]
using LstmService.Bench;

if (args is ["report", var ours, var theirs, ..]) { Report.Print(ours, theirs, args.Length > 3 ? args[3] : null); return; }
if (args is ["prediction-ab" or "packing-ab", var abId, ..]) { InterleavedAb.Run(args[0], abId, args.Length > 2 ? int.Parse(args[2]) : 20); return; }
if (args is ["adam-ab"]) { AdamAb.Run(); return; }
if (args is ["cold", var coldId, ..]) { ColdStart.Run(coldId, args.Length > 2 ? int.Parse(args[2]) : 6); return; }
if (args is ["kernel", ..]) { KernelAb.Run(args.Length > 1 ? int.Parse(args[1]) : 7, args.Length > 2 ? int.Parse(args[2]) : Environment.ProcessorCount); return; }
if (args is ["peak"] or []) Harness.Print(FmaPeak.Measure());
if (args is ["peak"]) return;
foreach (var config in BenchConfig.All.Where(c => args.Length == 0 || args.Contains(c.Id)))
    Harness.Print(Harness.Run("lstmservice", config, EngineBench.Iteration(config)));
