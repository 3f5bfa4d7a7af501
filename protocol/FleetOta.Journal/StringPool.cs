using System.Text;
using SQLitePCL;

namespace FleetOta.Journal;

/// <summary>Returns one string instance per distinct text read from SQLite columns, decoding each column's UTF-8
/// bytes into a buffer and allocating a string only for a text not seen before.</summary>
internal sealed class StringPool
{
    private readonly Dictionary<string, string> _strings = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _lookup;
    private char[] _buffer = new char[256];

    public StringPool() => _lookup = _strings.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Returns the column's text, or null for SQL NULL.</summary>
    public string? Text(sqlite3_stmt statement, int column)
    {
        if (raw.sqlite3_column_type(statement, column) == raw.SQLITE_NULL)
        {
            return null;
        }

        var bytes = raw.sqlite3_column_blob(statement, column);
        if (bytes.Length > _buffer.Length)
        {
            _buffer = new char[Encoding.UTF8.GetMaxCharCount(bytes.Length)];
        }

        var chars = _buffer.AsSpan(0, Encoding.UTF8.GetChars(bytes, _buffer));
        if (_lookup.TryGetValue(chars, out var text))
        {
            return text;
        }

        text = new string(chars);
        _strings.Add(text, text);
        return text;
    }
}
