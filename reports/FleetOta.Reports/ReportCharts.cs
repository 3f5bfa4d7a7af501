using ScottPlot;

namespace FleetOta.Reports;

/// <summary>Builds the five charts of the HTML report. Every threshold line comes from <see cref="Thresholds"/>.</summary>
internal static class ReportCharts
{
    public const string ReachId = "chart-reach";
    public const string SuccessId = "chart-success";
    public const string RollbackId = "chart-rollback";
    public const string FaultRateId = "chart-fault-rate";
    public const string IncidentsId = "chart-incidents";

    /// <summary>Maximum number of points drawn for the rollback-time distribution. Larger samples are thinned
    /// to evenly spaced ranks so that the SVG stays small.</summary>
    private const int MaxDistributionPoints = 2000;

    public static IReadOnlyList<Chart> Build(ScenarioReport report) =>
    [
        Reach(report),
        Success(report),
        Rollback(report),
        FaultRate(report),
        Incidents(report),
    ];

    private static Chart Reach(ScenarioReport report)
    {
        var limits = report.Thresholds;
        var title = "Cumulative reach over time";
        var caption = $"Share of active targeted devices running and committed on {report.Run.Version}. "
            + $"The gate requires at least {ChartSvg.ShortPercent(limits.Reach)} within {ReportText.Number(limits.ReachWindowHours)} h of release start.";
        var points = ChartSvg.FinitePoints(report.Series.ReachOverTime);
        if (points.Count == 0)
        {
            return Chart.Empty(ReachId, title, caption, "No data: the run recorded no reach measurements.");
        }

        var plot = ChartSvg.NewPlot("Hours since release start", "Devices on the new version");
        var reach = plot.Add.ScatterLine(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), ChartSvg.SeriesBlue);
        reach.ConnectStyle = ConnectStyle.StepHorizontal;
        reach.LineWidth = 2.5f;
        reach.LegendText = "Reach";

        var target = plot.Add.HorizontalLine(limits.Reach, 1.5f, ChartSvg.ThresholdRed, LinePattern.Dashed);
        target.LegendText = $"Target {ChartSvg.ShortPercent(limits.Reach)}";
        var deadline = plot.Add.VerticalLine(limits.ReachWindowHours, 1.5f, ChartSvg.DeadlineGray, LinePattern.Dashed);
        deadline.LegendText = $"Deadline {ReportText.Number(limits.ReachWindowHours)} h";

        ChartSvg.PercentTicks(plot);
        var lastHour = Math.Max(points[^1].X, limits.ReachWindowHours);
        plot.Axes.SetLimits(0, lastHour * 1.04, 0, 1.04);
        plot.ShowLegend(Alignment.LowerRight);
        return new Chart(ReachId, title, caption, ChartSvg.Render(plot, ReachId, title), null);
    }

    private static Chart Success(ScenarioReport report)
    {
        var limits = report.Thresholds;
        var title = "Success share per wave";
        var caption = "Share of devices offered the update in each wave that ended committed on the new version with no operator action. "
            + $"Green bars meet the gate of {ChartSvg.ShortPercent(limits.Success)}, red bars miss it.";
        var waves = report.Waves
            .Where(wave => wave.Success is { } share && double.IsFinite(share))
            .OrderBy(wave => wave.Wave)
            .ToList();
        if (waves.Count == 0)
        {
            return Chart.Empty(SuccessId, title, caption, "No data: no wave has a measured success share.");
        }

        var shares = waves.Select(wave => wave.Success!.Value).ToList();
        var bottom = Math.Max(0, Math.Floor((Math.Min(shares.Min(), limits.Success) - 0.01) * 100) / 100);
        var plot = ChartSvg.NewPlot("Wave", "Success share");
        var bars = waves.Select(wave => new Bar
        {
            Position = wave.Wave,
            Value = wave.Success!.Value,
            ValueBase = bottom,
            FillColor = wave.Success!.Value >= limits.Success ? ChartSvg.PassGreen : ChartSvg.ThresholdRed,
            Label = ChartSvg.ShortPercent(wave.Success!.Value),
        }).ToList();
        plot.Add.Bars(bars);

        var target = plot.Add.HorizontalLine(limits.Success, 1.5f, ChartSvg.ThresholdRed, LinePattern.Dashed);
        target.LegendText = $"Target {ChartSvg.ShortPercent(limits.Success)}";

        var ticks = new ScottPlot.TickGenerators.NumericManual();
        foreach (var wave in waves)
        {
            ticks.AddMajor(wave.Wave, $"Wave {wave.Wave}\n{ReportText.Count(wave.Offered)} offered");
        }

        plot.Axes.Bottom.TickGenerator = ticks;
        ChartSvg.PercentTicks(plot);
        plot.Axes.SetLimits(waves[0].Wave - 0.6, waves[^1].Wave + 0.6, bottom, 1 + ((1 - bottom) * 0.08));
        plot.ShowLegend(Alignment.LowerRight);
        return new Chart(SuccessId, title, caption, ChartSvg.Render(plot, SuccessId, title), null);
    }

    private static Chart Rollback(ScenarioReport report)
    {
        var limits = report.Thresholds;
        var title = "Rollback time distribution";
        var caption = "Cumulative share of failure cases whose previous version ran again and sent a heartbeat within the time on the x axis. "
            + $"The gate requires {ChartSvg.ShortPercent(limits.RollbackShare)} of cases within {ReportText.Seconds(limits.RollbackSeconds)}, "
            + $"over at least {ReportText.Count(limits.RollbackMinimumSample)} failure devices.";
        var seconds = report.Series.RollbackSeconds.Where(double.IsFinite).Order().ToList();
        if (seconds.Count == 0)
        {
            return Chart.Empty(RollbackId, title, caption, "No data: the run recorded no rollback cases.");
        }

        var (xs, ys) = Distribution(seconds);
        var plot = ChartSvg.NewPlot("Rollback time (s)", "Share of failure cases");
        var cdf = plot.Add.ScatterLine(xs, ys, ChartSvg.SeriesBlue);
        cdf.ConnectStyle = ConnectStyle.StepHorizontal;
        cdf.LineWidth = 2.5f;
        cdf.LegendText = $"Failure cases (n = {ReportText.Count(seconds.Count)})";

        var limit = plot.Add.VerticalLine(limits.RollbackSeconds, 1.5f, ChartSvg.ThresholdRed, LinePattern.Dashed);
        limit.LegendText = $"Limit {ReportText.Seconds(limits.RollbackSeconds)}";
        var share = plot.Add.HorizontalLine(limits.RollbackShare, 1.5f, ChartSvg.DeadlineGray, LinePattern.Dotted);
        share.LegendText = $"Required share {ChartSvg.ShortPercent(limits.RollbackShare)}";

        ChartSvg.PercentTicks(plot);
        plot.Axes.SetLimits(0, Math.Max(seconds[^1], limits.RollbackSeconds) * 1.08, 0, 1.04);
        plot.ShowLegend(Alignment.LowerRight);
        return new Chart(RollbackId, title, caption, ChartSvg.Render(plot, RollbackId, title), null);
    }

    private static Chart FaultRate(ScenarioReport report)
    {
        var limits = report.Thresholds;
        var title = "Critical-fault rate over time";
        var caption = $"Devices on the new version with a critical fault in the last {ReportText.Number(limits.FaultWindowMinutes)} min, "
            + $"divided by the devices that activated it. Above {ChartSvg.ShortPercent(limits.FaultRateLimit)} the rollout must pause within "
            + $"{ReportText.Number(limits.PauseWithinMinutes)} min and alert on-call within {ReportText.Number(limits.AlertWithinMinutes)} min.";
        var points = ChartSvg.FinitePoints(report.Series.FaultRateOverTime);
        if (points.Count == 0)
        {
            return Chart.Empty(FaultRateId, title, caption, "No data: the run recorded no fault-rate measurements.");
        }

        var plot = ChartSvg.NewPlot("Minutes since release start", "Critical-fault rate");
        var rate = plot.Add.ScatterLine(points.Select(p => p.X).ToArray(), points.Select(p => p.Y).ToArray(), ChartSvg.SeriesBlue);
        rate.LineWidth = 2.5f;
        rate.LegendText = $"Rate over {ReportText.Number(limits.FaultWindowMinutes)} min window";

        var limit = plot.Add.HorizontalLine(limits.FaultRateLimit, 1.5f, ChartSvg.ThresholdRed, LinePattern.Dashed);
        limit.LegendText = $"Limit {ChartSvg.ShortPercent(limits.FaultRateLimit)}";

        var lastMinute = points[^1].X;
        foreach (var mark in report.Marks.Where(mark => double.IsFinite(mark.Minutes)).OrderBy(mark => mark.Minutes))
        {
            var line = plot.Add.VerticalLine(mark.Minutes, 2f, MarkColor(mark.Label), LinePattern.Solid);
            line.LegendText = $"{mark.Label} at {ReportText.Number(mark.Minutes, 1)} min";
            lastMinute = Math.Max(lastMinute, mark.Minutes);
        }

        ChartSvg.PercentTicks(plot);
        var top = Math.Max(points.Max(p => p.Y), limits.FaultRateLimit) * 1.3;
        plot.Axes.SetLimits(Math.Min(0, points[0].X), lastMinute * 1.04, 0, top);
        plot.ShowLegend(Alignment.UpperRight);
        return new Chart(FaultRateId, title, caption, ChartSvg.Render(plot, FaultRateId, title), null);
    }

    private static Chart Incidents(ScenarioReport report)
    {
        var limits = report.Thresholds;
        var title = "Incidents open and resolved remotely";
        var caption = "Update-caused incidents (failed, rolled back, stuck, degraded or silent after the update) still open, "
            + $"and the running total resolved remotely. The gate requires {ChartSvg.ShortPercent(limits.Recovery)} of incidents "
            + $"resolved remotely within {ReportText.Number(limits.RecoveryWindowHours)} h of each incident.";
        var open = ChartSvg.FinitePoints(report.Series.IncidentsOpen);
        var resolved = ChartSvg.FinitePoints(report.Series.IncidentsResolved);
        if (open.Count == 0 && resolved.Count == 0)
        {
            return Chart.Empty(IncidentsId, title, caption, "No data: the run recorded no update-caused incidents.");
        }

        var plot = ChartSvg.NewPlot("Hours since release start", "Incidents");
        if (open.Count > 0)
        {
            var openLine = plot.Add.ScatterLine(open.Select(p => p.X).ToArray(), open.Select(p => p.Y).ToArray(), ChartSvg.WarnOrange);
            openLine.ConnectStyle = ConnectStyle.StepHorizontal;
            openLine.LineWidth = 2.5f;
            openLine.LegendText = "Open";
        }

        if (resolved.Count > 0)
        {
            var resolvedLine = plot.Add.ScatterLine(resolved.Select(p => p.X).ToArray(), resolved.Select(p => p.Y).ToArray(), ChartSvg.PassGreen);
            resolvedLine.ConnectStyle = ConnectStyle.StepHorizontal;
            resolvedLine.LineWidth = 2.5f;
            resolvedLine.LegendText = "Resolved remotely (cumulative)";
        }

        var lastHour = open.Concat(resolved).Max(p => p.X);
        var top = Math.Max(1, open.Concat(resolved).Max(p => p.Y)) * 1.12;
        plot.Axes.SetLimits(0, Math.Max(lastHour, limits.RecoveryWindowHours) * 1.04, 0, top);
        plot.ShowLegend(Alignment.UpperLeft);
        return new Chart(IncidentsId, title, caption, ChartSvg.Render(plot, IncidentsId, title), null);
    }

    /// <summary>Returns the empirical cumulative distribution of sorted values as step points, thinned to at most
    /// <see cref="MaxDistributionPoints"/> ranks. The last point is always the maximum at share 1.</summary>
    private static (double[] Xs, double[] Ys) Distribution(IReadOnlyList<double> sorted)
    {
        var count = sorted.Count;
        var step = Math.Max(1, (int)Math.Ceiling(count / (double)MaxDistributionPoints));
        var xs = new List<double> { sorted[0] };
        var ys = new List<double> { 0 };
        for (var rank = 0; rank < count; rank += step)
        {
            xs.Add(sorted[rank]);
            ys.Add((rank + 1) / (double)count);
        }

        if (ys[^1] < 1)
        {
            xs.Add(sorted[^1]);
            ys.Add(1);
        }

        return (xs.ToArray(), ys.ToArray());
    }

    private static Color MarkColor(string label) => label.Trim().ToLowerInvariant() switch
    {
        "breach" => ChartSvg.ThresholdRed,
        "paused" or "pause" => ChartSvg.WarnOrange,
        "alerted" or "alert" => ChartSvg.AlertPurple,
        _ => ChartSvg.DeadlineGray,
    };
}
