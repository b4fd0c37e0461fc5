using System.Reflection;
using HeadPursuit.Bench;

// Every IBench in this assembly is a sub-command; with no name, list them.
var benches = Assembly.GetExecutingAssembly().GetTypes()
    .Where(t => typeof(IBench).IsAssignableFrom(t) && t is { IsInterface: false, IsAbstract: false })
    .Select(t => (IBench)Activator.CreateInstance(t)!)
    .OrderBy(b => b.Name)
    .ToList();

var bench = args.Length > 0 ? benches.FirstOrDefault(b => b.Name == args[0]) : null;
if (bench == null)
{
    Console.Error.WriteLine("usage: headpursuit-bench NAME [args]\n");
    foreach (var b in benches) Console.Error.WriteLine($"  {b.Name,-12} {b.Description}");
    return args.Length == 0 ? 0 : 2;
}
return bench.Run(args[1..]);
