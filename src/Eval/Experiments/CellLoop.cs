namespace HeadPursuit.Eval.Experiments;

/// <summary>
/// Runs the cells of a grid that the results store does not hold yet (so a rerun resumes where it stopped), storing each
/// as soon as it is done and reporting progress; returns every cell's result in plan order.
/// </summary>
static class CellLoop
{
    public static CellResult[] Run(IReadOnlyList<CellPlan> cells, ResultsStore store, Action<string, int, int>? progress, Func<CellPlan, CellResult> run)
    {
        int done = cells.Count(cell => store.Done.ContainsKey(cell.Key));
        progress?.Invoke("cells", done, cells.Count);
        foreach (var cell in cells.Where(cell => !store.Done.ContainsKey(cell.Key)))
        {
            store.Add(run(cell));
            progress?.Invoke("cells", ++done, cells.Count);
        }
        return [.. cells.Select(cell => store.Done[cell.Key])];
    }
}
