using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace TypedIpc.Cli;

/// <summary>The tables and panels the commands print, built from the library's inspection types.</summary>
public static class QueueView
{
    private const int BarWidth = 30;

    public static Table QueueTable(IReadOnlyList<QueueInfo> queues)
    {
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("Name", "Message type", "Items", "Bytes used", "Attached", "Blocked", "State");
        table.Columns[2].RightAligned();
        table.Columns[3].RightAligned();
        foreach (QueueInfo queue in queues)
        {
            if (queue.Error is not null)
            {
                table.AddRow(Text(queue.Name), new Markup("[red]unreadable[/] (below)"), Empty, Empty, Empty, Empty, new Markup("[red]error[/]"));
                continue;
            }

            table.AddRow(
                Text(queue.Name),
                Text(queue.TypeName ?? "?"),
                Text($"{queue.Count:N0} / {Items(queue)}"),
                Text(Bytes(queue.BytesUsed)),
                new Markup(Attached(queue)),
                Text(Blocked(queue)),
                new Markup(State(queue)));
        }

        return table;
    }

    /// <summary>Why each unreadable queue could not be read: whole messages, below the table rather than squeezed into a cell.</summary>
    public static IRenderable? Errors(IReadOnlyList<QueueInfo> queues)
    {
        var unreadable = queues.Where(queue => queue.Error is not null).ToList();
        return unreadable.Count == 0
            ? null
            : new Rows(unreadable.Select(queue => new Markup($"[red]{Markup.Escape(queue.Name)}[/]: {Markup.Escape(queue.Error!)}")));
    }

    public static Table BlobTable(IReadOnlyList<SharedBlobInfo> blobs)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("Blob", "State", "Bytes", "Owner pid", "Owner");
        table.Columns[2].RightAligned();
        foreach (SharedBlobInfo blob in blobs)
        {
            table.AddRow(
                Text(blob.Name),
                Text(blob.State.ToString().ToLowerInvariant()),
                Text(blob.Bytes is { } bytes ? Bytes(bytes) : "?"),
                Text(blob.OwnerPid?.ToString(CultureInfo.InvariantCulture) ?? "?"),
                new Markup(blob.OwnerAlive ? "[green]alive[/]" : "[red]exited[/] (abandoned)"));
        }

        return table;
    }

    /// <summary>One queue in full; <paramref name="rates"/> adds the put and get rates a watch measured.</summary>
    public static IRenderable Details(QueueInfo queue, (double Puts, double Gets)? rates = null)
    {
        var facts = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        facts.AddRow(Label("Queue"), Text(queue.Name));
        facts.AddRow(Label("File"), Text(queue.Path));
        facts.AddRow(Label("Message type"), Text($"{queue.TypeName ?? "?"} (schema 0x{queue.SchemaFingerprint:X16})"));
        facts.AddRow(Label("Depth"), new Markup(DepthBar(queue)));
        facts.AddRow(Label("Bytes"), Text(
            $"{Bytes(queue.BytesUsed)} used, {Bytes(queue.BytesReserved)} reserved of {Bytes(queue.BytesCapacity)}; messages up to {Bytes(queue.MaxMessageBytes)}"));
        if (rates is { } measured)
        {
            facts.AddRow(Label("Rates"), Text($"{measured.Puts:N1} puts/s, {measured.Gets:N1} gets/s"));
        }
        else
        {
            facts.AddRow(Label("Totals"), Text($"{queue.ItemsPut:N0} put, {queue.ItemsTaken:N0} taken (modulo 2^32)"));
        }

        facts.AddRow(Label("Blocked"), Text(Blocked(queue)));
        facts.AddRow(Label("State"), new Markup(State(queue)));

        var attached = new Table().Border(TableBorder.Simple).Title("Attached threads")
            .AddColumns("Entry", "Pid", "Process", "Doing");
        foreach (QueueAttachment attachment in queue.Attached)
        {
            attached.AddRow(
                Text(attachment.Entry.ToString(CultureInfo.InvariantCulture)),
                Text(attachment.Pid.ToString(CultureInfo.InvariantCulture)),
                new Markup(attachment.IsAlive ? "[green]alive[/]" : "[red]dead[/]"),
                Text(Doing(attachment.Activity)));
        }

        var rows = new List<IRenderable> { facts, attached };
        if (queue.Claims.Count > 0)
        {
            var claims = new Table().Border(TableBorder.Simple).Title("Claims")
                .AddColumns("Holds", "Items", "Owner pid", "Owner");
            foreach (QueueClaim claim in queue.Claims)
            {
                claims.AddRow(
                    Text(claim.Kind == QueueClaimKind.Tail ? "the tail (writing)" : "taken items (reading)"),
                    Text(claim.Kind == QueueClaimKind.Tail ? $"from #{claim.FirstItem}" : $"#{claim.FirstItem}..#{claim.FirstItem + (uint)claim.ItemCount - 1}"),
                    Text(claim.Pid?.ToString(CultureInfo.InvariantCulture) ?? "none"),
                    new Markup(claim.OwnerAlive ? "[green]alive[/]" : "[red]dead[/]: waits for recovery by the next blocked call"));
            }

            rows.Add(claims);
        }

        return new Rows(rows);
    }

    public static string Bytes(long bytes) => bytes switch
    {
        < 10 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes:N0} B"),
        < 10 * 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:N1} KiB"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):N1} MiB"),
    };

    private static string DepthBar(QueueInfo queue)
    {
        int filled = queue.Capacity == 0 ? 0 : (int)Math.Round((double)queue.Count / queue.Capacity * BarWidth);
        string color = filled >= BarWidth ? "red" : filled * 4 >= BarWidth * 3 ? "yellow" : "green";
        return $"[{color}]{new string('█', filled)}[/][grey]{new string('░', BarWidth - filled)}[/] {queue.Count:N0} / {Items(queue)}";
    }

    private static string Items(QueueInfo queue) =>
        queue.MaxSize > 0 ? queue.MaxSize.ToString("N0", CultureInfo.InvariantCulture) : $"{queue.Capacity:N0} (maxsize 0)";

    private static string Attached(QueueInfo queue)
    {
        int alive = queue.Attached.Count(a => a.IsAlive);
        int dead = queue.Attached.Count - alive;
        return dead == 0 ? $"{alive} alive" : $"{alive} alive, [red]{dead} dead[/]";
    }

    private static string Blocked(QueueInfo queue)
    {
        int inGet = queue.Attached.Count(a => a.IsAlive && a.Activity == QueueActivity.BlockedInGet);
        int inPut = queue.Attached.Count(a => a.IsAlive && a.Activity == QueueActivity.BlockedInPut);
        return $"{inGet} in get, {inPut} in put";
    }

    private static string State(QueueInfo queue)
    {
        var states = new List<string> { queue.IsShutDown ? "[yellow]shut down[/]" : "open" };
        if (queue.IsAbandoned)
        {
            states.Add("[red]abandoned[/]");
        }

        if (queue.IsJoinable)
        {
            states.Add($"joinable: {queue.UnfinishedTasks} unfinished task(s)");
            if (queue.AbandonedTasks > 0)
            {
                states.Add($"[red]{queue.AbandonedTasks} abandoned task(s)[/]");
            }
        }

        if (queue.DeadClaims.Count > 0)
        {
            states.Add($"[red]{queue.DeadClaims.Count} dead claim(s)[/]");
        }

        return string.Join(", ", states);
    }

    private static string Doing(QueueActivity activity) => activity switch
    {
        QueueActivity.BlockedInGet => "blocked in get",
        QueueActivity.BlockedInPut => "blocked in put",
        QueueActivity.Putting => "holding the tail (putting)",
        QueueActivity.Getting => "holding taken items (getting)",
        _ => "idle",
    };

    private static Markup Label(string label) => new($"[bold]{label}[/]");

    private static Text Text(string text) => new(text);

    private static Text Empty => new("");
}
