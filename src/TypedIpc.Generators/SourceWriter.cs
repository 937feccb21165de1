using System.Text;

namespace TypedIpc.Generators;

/// <summary>Builds C# source with four-space indentation and "\n" line ends, so the output is the same on every OS.</summary>
internal sealed class SourceWriter
{
    private readonly StringBuilder _text = new();
    private int _depth;

    public void Line() => _text.Append('\n');

    public void Line(string line) => _text.Append(' ', _depth * 4).Append(line).Append('\n');

    /// <summary>Writes <paramref name="header"/> and an opening brace, and indents what follows.</summary>
    public void Open(string header)
    {
        Line(header);
        Line("{");
        _depth++;
    }

    public void Close()
    {
        _depth--;
        Line("}");
    }

    public override string ToString() => _text.ToString();
}
