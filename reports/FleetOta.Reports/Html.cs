using System.Net;
using FleetOta.Journal;

namespace FleetOta.Reports;

/// <summary>HTML helpers shared by report.html and index.html. Every piece of report data passes through
/// <see cref="Encode"/>, which escapes &lt; &gt; &amp; " and ' so that it is safe in text and in quoted attributes.</summary>
internal static class Html
{
    /// <summary>Escapes text for an HTML text node or a double-quoted attribute value.</summary>
    public static string Encode(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>Returns a verdict badge, such as &lt;span class="verdict fail"&gt;fail&lt;/span&gt;.</summary>
    public static string VerdictBadge(Verdict? verdict)
    {
        var name = ReportText.VerdictOrMissing(verdict);
        return $"<span class=\"verdict {name}\">{name}</span>";
    }

    /// <summary>Returns the "met?" badge: yes, no, or a dash when the scenario sets no expectation.</summary>
    public static string MetBadge(ExpectationCheck? check) => check switch
    {
        null => "<span class=\"met none\" title=\"The scenario sets no expectation for this criterion.\">&#8212;</span>",
        { Met: true } => "<span class=\"met yes\">&#10003; yes</span>",
        _ => "<span class=\"met no\">&#10007; no</span>",
    };

    /// <summary>Encodes a relative path for an href: each segment is percent-encoded, then the whole is HTML-escaped.</summary>
    public static string RelativeHref(params string[] segments) =>
        Encode(string.Join('/', segments.Select(Uri.EscapeDataString)));

    /// <summary>Style sheet shared by report.html and index.html. It is inlined so that the files open with no network.</summary>
    public const string StyleSheet = """
        :root { --pass: #2e7d32; --fail: #c62828; --inconclusive: #8d6e00; --line: #d0d7de; --muted: #57606a; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 15px/1.45 "DejaVu Sans", "Segoe UI", "Helvetica Neue", Arial, sans-serif; color: #1f2328; background: #f6f8fa; }
        main { max-width: 1100px; margin: 0 auto; padding: 0 20px 40px; }
        header.banner { padding: 20px max(24px, calc((100% - 1060px) / 2)); color: #fff; }
        header.banner a { color: #fff; }
        header.banner.passed { background: var(--pass); }
        header.banner.failed { background: var(--fail); }
        header.banner h1 { margin: 0 0 4px; font-size: 26px; }
        header.banner p { margin: 0 0 12px; max-width: 900px; }
        .facts { display: flex; flex-wrap: wrap; gap: 6px 28px; margin: 0; }
        .facts div { min-width: 120px; }
        .facts dt { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; opacity: .85; }
        .facts dd { margin: 0; font-weight: 600; word-break: break-all; }
        nav { margin: 14px 0 0; font-size: 14px; }
        nav a { margin-right: 14px; }
        section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 16px 20px; margin-top: 18px; }
        h2 { margin: 0 0 10px; font-size: 20px; }
        h3 { margin: 14px 0 6px; font-size: 16px; }
        table { border-collapse: collapse; width: 100%; font-size: 14px; }
        th, td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
        th { background: #f0f3f6; font-weight: 600; }
        td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        .summary { color: var(--muted); font-size: 13px; }
        code, pre, .timeline { font-family: "DejaVu Sans Mono", Consolas, Menlo, monospace; font-size: 13px; }
        pre { background: #f6f8fa; border: 1px solid var(--line); border-radius: 4px; padding: 10px; white-space: pre-wrap; word-break: break-all; }
        .verdict { display: inline-block; padding: 1px 8px; border-radius: 10px; font-weight: 600; font-size: 13px; color: #fff; }
        .verdict.pass { background: var(--pass); }
        .verdict.fail { background: var(--fail); }
        .verdict.inconclusive { background: var(--inconclusive); }
        .verdict.missing { background: #6e7781; }
        .met { font-weight: 600; white-space: nowrap; }
        .met.yes { color: var(--pass); }
        .met.no { color: var(--fail); }
        .met.none { color: var(--muted); }
        td.ok { color: var(--pass); }
        td.bad { color: var(--fail); font-weight: 600; background: #ffebe9; }
        .warning { background: #fff8c5; border: 2px solid #bf8700; border-radius: 6px; padding: 12px 16px; margin-top: 18px; font-weight: 600; }
        figure { margin: 0 0 22px; }
        figure svg { display: block; width: 100%; height: auto; border: 1px solid var(--line); border-radius: 4px; }
        figure svg text { font-family: "DejaVu Sans", "Segoe UI", "Helvetica Neue", Arial, sans-serif; }
        figcaption { color: var(--muted); font-size: 13px; margin-top: 4px; }
        .no-data { border: 1px dashed #8c959f; border-radius: 4px; padding: 28px; text-align: center; color: var(--muted); background: #fafbfc; }
        .timeline { margin: 4px 0 0; padding-left: 22px; }
        details summary { cursor: pointer; }
        footer { color: var(--muted); font-size: 13px; margin-top: 18px; }
        """;
}
