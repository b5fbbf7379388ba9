using System.Runtime.InteropServices;

namespace PvEdge.EdgeAgent.Models;

/// <summary>Writes that survive a power cut at any instant: data is flushed to the disk (fsync) before the rename that publishes it, and the
/// folder holding the renamed entry is flushed after it, so after a cut a name points either at the old complete content or at the new one.</summary>
internal static partial class DurableFiles
{
    private const int ReadOnly = 0;
    private const int Directory = 0x10000; // O_DIRECTORY on Linux

    /// <summary>Writes <paramref name="data"/> to <paramref name="path"/> through <c>path.tmp</c> + fsync + rename + fsync of the folder.</summary>
    public static void WriteAtomic(string path, ReadOnlySpan<byte> data)
    {
        var tmp = path + ".tmp";
        using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            f.Write(data);
            f.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
        SyncFolder(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    /// <summary>Flushes every file under <paramref name="folder"/> and the folders themselves to the disk.</summary>
    public static void SyncTree(string folder)
    {
        foreach (var file in System.IO.Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            using var f = new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
            f.Flush(flushToDisk: true);
        }
        foreach (var dir in System.IO.Directory.EnumerateDirectories(folder, "*", SearchOption.AllDirectories))
        {
            SyncFolder(dir);
        }
        SyncFolder(folder);
    }

    /// <summary>fsync of a folder (its entries: a rename or a new file in it). Linux only; elsewhere a no-op.</summary>
    public static void SyncFolder(string folder)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }
        var fd = Open(folder, ReadOnly | Directory);
        if (fd < 0)
        {
            return;
        }
        try
        {
            _ = Fsync(fd);
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
