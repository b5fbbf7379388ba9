namespace PvEdge.Shared.Cli;

/// <summary>One verb of a command-line tool (<c>modelexport simulate</c>, <c>edgeagent probe</c>).
/// Implementations have a public parameterless constructor and are discovered by <see cref="CliHost"/>.</summary>
public interface ICliCommand
{
    /// <summary>The verb, e.g. "simulate".</summary>
    string Name { get; }

    /// <summary>One line for the help listing, including the usage, e.g. "simulate --site S --weather W --out F  runs the physics chain".</summary>
    string Usage { get; }

    /// <summary>Runs the verb. Returns the exit code (0 ok, 1 failure such as "no device answered"); throws <see cref="InputException"/> for bad input (exit 2).</summary>
    Task<int> RunAsync(CliArguments args, CliContext context, CancellationToken cancellationToken);
}

/// <summary>Where a command writes, and the clock it reads.</summary>
public sealed record CliContext(TextWriter Out, TextWriter Error, TimeProvider Time)
{
    public static CliContext Console() => new(System.Console.Out, System.Console.Error, TimeProvider.System);
}
