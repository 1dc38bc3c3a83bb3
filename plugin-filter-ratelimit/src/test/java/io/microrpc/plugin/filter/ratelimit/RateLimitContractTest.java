package io.microrpc.plugin.filter.ratelimit;

import io.microrpc.spi.Filter;
import io.microrpc.testkit.FilterContractTest;
import io.microrpc.testkit.TestPluginContext;

/** The filter contract, with limits on both sides that the contract's calls stay under. */
class RateLimitContractTest extends FilterContractTest {

    @Override
    protected Filter newFilter() {
        return new RateLimit();
    }

    @Override
    protected TestPluginContext newContext() {
        return TestPluginContext.forExtension("filter", "ratelimit", "side", "both", "default", "1000000/s");
    }
}
