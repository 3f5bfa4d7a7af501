using FleetOta.Emulator.Live.Proxy;
using Microsoft.Extensions.Logging;

namespace FleetOta.Emulator.Live.Tests.Proxy;

internal static class ProxyTestHelpers
{
    public static FaultProxy StartProxy(int upstreamPort, int seed = 1, TimeProvider? timeProvider = null, ILogger? logger = null)
    {
        var options = new FaultProxyOptions
        {
            Name = "test",
            UpstreamHost = "127.0.0.1",
            UpstreamPort = upstreamPort,
            Seed = seed,
        };
        var proxy = new FaultProxy(options, timeProvider, logger);
        proxy.Start();
        return proxy;
    }
}
