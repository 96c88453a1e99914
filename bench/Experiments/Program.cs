// Runs the experiments that settle the blog's question with this engine's own numbers, and
// prints them as Markdown for docs/lstm.md. Usage: gradient | seed | adding | all
using LstmService.Experiments;

string what = args.Length > 0 ? args[0] : "all";
if (what is "gradient" or "all") GradientComparison.Run();
if (what is "seed" or "all") SeedTaskConvergence.Run();
if (what is "adding" or "all") AddingTaskConvergence.Run();
