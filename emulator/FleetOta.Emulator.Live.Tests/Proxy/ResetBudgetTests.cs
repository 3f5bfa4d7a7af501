using CsCheck;
using FleetOta.Emulator.Live.Proxy;

namespace FleetOta.Emulator.Live.Tests.Proxy;

public sealed class ResetBudgetTests
{
    [Fact]
    public void Reserve_AnyRequests_GrantsAtMostLimit()
    {
        Gen.Select(Gen.Long[0, 10_000], Gen.Long[0, 5_000].Array[0, 20]).Sample((limit, requests) =>
        {
            var budget = new ResetBudget(new ResetToxic { AfterBytes = limit });

            long granted = requests.Sum(budget.Reserve);

            granted.Should().Be(Math.Min(limit, requests.Sum()));
            budget.IsExhausted.Should().Be(requests.Sum() >= limit);
        });
    }

    [Fact]
    public async Task Reserve_TwoThreads_NeverExceedsLimit()
    {
        var budget = new ResetBudget(new ResetToxic { AfterBytes = 100_000, Direction = ToxicDirection.Both });

        var totals = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(() =>
        {
            long total = 0;
            for (int i = 0; i < 100_000; i++)
            {
                total += budget.Reserve(3);
            }

            return total;
        })));

        totals.Sum().Should().Be(100_000);
        budget.IsExhausted.Should().BeTrue();
    }
}
