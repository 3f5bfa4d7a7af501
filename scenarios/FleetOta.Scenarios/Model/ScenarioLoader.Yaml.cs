using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace FleetOta.Scenarios.Model;

public static partial class ScenarioLoader
{
    /// <summary>Parses the text into YAML documents and returns where each document starts. Invalid YAML raises a
    /// <see cref="ScenarioValidationException"/> with the position of the problem, so nothing that YamlDotNet throws
    /// while parsing escapes.</summary>
    private static YamlStream LoadYaml(string text, string file, out IReadOnlyList<Mark> documentStarts)
    {
        var scanner = new Scanner(new StringReader(text));
        var parser = new RecordingParser(new Parser(scanner));
        var stream = new YamlStream();
        try
        {
            stream.Load(parser);
        }
        catch (AnchorNotFoundException error)
        {
            throw new ScenarioValidationException(UnknownAliasProblems(parser, scanner, error, file));
        }
        catch (YamlException error)
        {
            throw SyntaxError(file, SyntaxErrorPosition(error, scanner), DescribeSyntaxError(error));
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet 18.1.0's scanner throws this, with no position and no description, on some broken input
            // such as an unclosed { followed by an unterminated quoted string.
            throw SyntaxError(file, scanner.CurrentPosition,
                "the YAML parser stopped here without describing the problem. Look on this line and the lines before it " +
                "for an unclosed { or [, an unterminated quoted string or a tab.");
        }

        documentStarts = parser.DocumentStarts;
        return stream;
    }

    private static ScenarioValidationException SyntaxError(string file, Mark position, string description) =>
        new([new ValidationProblem(file, (int)position.Line, (int)position.Column, "(syntax)", null, $"is not valid YAML: {description}")]);

    /// <summary>Returns where the problem is. A scanner error spans from the start of the token it was reading to the
    /// character that broke it, so its end is the place to fix. A parser error starts at the unexpected token. For
    /// some errors, such as a tab used as indentation, YamlDotNet gives no position (1:1), and then the scanner's
    /// position is the closest known place.</summary>
    private static Mark SyntaxErrorPosition(YamlException error, Scanner scanner)
    {
        var position = error is SyntaxErrorException ? error.End : error.Start;
        return position.Equals(Mark.Empty) ? scanner.CurrentPosition : position;
    }

    private static string DescribeSyntaxError(YamlException error)
    {
        var description = error.InnerException?.Message ?? error.Message;
        if (error is SyntaxErrorException && !error.Start.Equals(Mark.Empty) && error.Start.Line != error.End.Line)
        {
            description += $" The value starts at {error.Start.Line}:{error.Start.Column}.";
        }

        if (TabWord().IsMatch(description))
        {
            description += " YAML does not allow tabs in indentation; indent with spaces.";
        }

        return description;
    }

    [GeneratedRegex(@"\btab\b", RegexOptions.IgnoreCase)]
    private static partial Regex TabWord();

    /// <summary>Lists every alias of the failed document whose anchor no node of that document defines, each at the
    /// alias, because YamlDotNet reports only the first one and at 1:1.</summary>
    private static List<ValidationProblem> UnknownAliasProblems(RecordingParser parser, Scanner scanner, AnchorNotFoundException error, string file)
    {
        var problems = parser.Aliases
            .Where(alias => !parser.Anchors.Contains(alias.Name))
            .Select(alias => new ValidationProblem(file, (int)alias.Start.Line, (int)alias.Start.Column, "(syntax)", $"*{alias.Name}",
                $"is not valid YAML: no value has the anchor &{alias.Name}. Put &{alias.Name} before the value to repeat, or remove the alias."))
            .ToList();
        if (problems.Count == 0)
        {
            var position = scanner.CurrentPosition;
            problems.Add(new ValidationProblem(file, (int)position.Line, (int)position.Column, "(syntax)", null, $"is not valid YAML: {error.Message}"));
        }

        return problems;
    }

    /// <summary>Passes a parser's events through and records the positions that error reports need: where each
    /// document starts, and the anchors and aliases of the current document.</summary>
    private sealed class RecordingParser(IParser inner) : IParser
    {
        public List<Mark> DocumentStarts { get; } = [];

        public HashSet<string> Anchors { get; } = new(StringComparer.Ordinal);

        public List<(string Name, Mark Start)> Aliases { get; } = [];

        public ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            if (!inner.MoveNext())
            {
                return false;
            }

            switch (inner.Current)
            {
                case DocumentStart start:
                    DocumentStarts.Add(start.Start);
                    Anchors.Clear();
                    Aliases.Clear();
                    break;
                case AnchorAlias alias:
                    Aliases.Add((alias.Value.Value, alias.Start));
                    break;
                case NodeEvent { Anchor.IsEmpty: false } node:
                    Anchors.Add(node.Anchor.Value);
                    break;
            }

            return true;
        }
    }
}
