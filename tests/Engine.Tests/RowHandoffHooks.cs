// RowHandoff's test hooks (a forced handoff, the count of rows handed over) are process-wide: the
// tests that read them run in this collection, by themselves, after the others. Thread counts are
// no longer process state: each test gives its networks a ComputeContext of its own.
namespace LstmService.Engine.Tests;

[CollectionDefinition(nameof(RowHandoffHooks), DisableParallelization = true)]
public class RowHandoffHooks;
