using System.Reflection;

namespace PvEdge.Shared.Cli;

/// <summary>Dispatches <c>tool verb --options</c> to the <see cref="ICliCommand"/> implementations of an assembly.
/// Bad input becomes one line on stderr and exit code 2, never a stack trace.</summary>
public static class CliHost
{
    public static IReadOnlyList<ICliCommand> Discover(Assembly assembly) =>
        assembly.GetTypes()
            .Where(t => typeof(ICliCommand).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false } && t.GetConstructor(Type.EmptyTypes) is not null)
            .Select(t => (ICliCommand)Activator.CreateInstance(t)!)
            .OrderBy(c => c.Name, StringComparer.Ordinal)
            .ToList();

    public static async Task<int> RunAsync(string tool, string[] args, IReadOnlyList<ICliCommand> commands, CliContext context, CancellationToken cancellationToken)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help" or "help")
        {
            PrintHelp(tool, commands, context.Out);
            return args.Length == 0 ? 2 : 0;
        }
        if (args[0] == "--version")
        {
            var asm = Assembly.GetEntryAssembly();
            context.Out.WriteLine($"{tool} {asm?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? asm?.GetName().Version?.ToString() ?? "0"}");
            return 0;
        }
        var command = commands.FirstOrDefault(c => c.Name == args[0]);
        if (command is null)
        {
            context.Error.WriteLine($"{tool}: unknown command '{args[0]}' (expected one of: {string.Join(", ", commands.Select(c => c.Name))})");
            return 2;
        }
        try
        {
            return await command.RunAsync(new CliArguments(args.Skip(1)), context, cancellationToken).ConfigureAwait(false);
        }
        catch (InputException ex)
        {
            context.Error.WriteLine($"{tool} {command.Name}: {ex.Message}");
            return 2;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            context.Error.WriteLine($"{tool} {command.Name}: cancelled");
            return 130;
        }
    }

    private static void PrintHelp(string tool, IReadOnlyList<ICliCommand> commands, TextWriter output)
    {
        output.WriteLine($"usage: {tool} <command> [options]");
        foreach (var c in commands)
        {
            output.WriteLine($"  {c.Usage}");
        }
    }
}
