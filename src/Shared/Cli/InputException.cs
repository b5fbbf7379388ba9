namespace PvEdge.Shared.Cli;

/// <summary>Bad input from a user or a file. The message is one line naming the file, key, line or column and what was expected;
/// command-line tools print it and exit with code 2, services log it and carry on.</summary>
public sealed class InputException : Exception
{
    public InputException(string message) : base(message)
    {
    }

    public InputException(string message, Exception inner) : base(message, inner)
    {
    }

    public InputException()
    {
    }

    /// <summary>A message prefixed with the file (and line) it is about: "site.json: planes[0].tilt_deg: expected ...".</summary>
    public static InputException InFile(string file, string message) => new($"{file}: {message}");

    public static InputException AtLine(string file, int line, string message) => new($"{file}:{line}: {message}");
}
