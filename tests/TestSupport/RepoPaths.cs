namespace PvEdge.TestSupport;

/// <summary>Locates the repository root and the team's shared data folder beside it (../shared).</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> RootLazy = new(FindRoot);

    /// <summary>The folder holding EdgeAgent.sln.</summary>
    public static string Root => RootLazy.Value;

    /// <summary>The shared folder beside the clone: ../shared relative to the repository root.</summary>
    public static string SharedDir => Path.GetFullPath(Path.Combine(Root, "..", "shared"));

    /// <summary>A path under ../shared, e.g. Shared("data/weather/723170TYA.CSV"). In a clone without ../shared beside it, the calling
    /// test is skipped with the reason (it must be a [SkippableFact] or [SkippableTheory]).</summary>
    public static string Shared(string relative)
    {
        Xunit.Skip.IfNot(Directory.Exists(SharedDir), $"needs {relative} from the team's shared folder, which is not beside this clone ({SharedDir}); test skipped");
        return Path.Combine(SharedDir, relative);
    }

    /// <summary>A path under the repository root.</summary>
    public static string InRepo(string relative) => Path.Combine(Root, relative);

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EdgeAgent.sln")))
            {
                return dir.FullName;
            }
            dir = dir.Parent;
        }
        throw new InvalidOperationException("EdgeAgent.sln not found above " + AppContext.BaseDirectory);
    }
}
