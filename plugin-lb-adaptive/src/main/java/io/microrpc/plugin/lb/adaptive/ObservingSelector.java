package io.microrpc.plugin.lb.adaptive;

import io.microrpc.spi.Endpoint;
import io.microrpc.spi.LoadBalancer;
import io.microrpc.spi.Ticker;
import java.util.List;

/**
 * A selector that reads latency observations ({@link StaleLatencies}) of its candidates, and hands them
 * on to the selector that replaces it, by endpoint, so a change of candidates forgets nothing about
 * those that stay. Thread-safe.
 */
abstract class ObservingSelector implements LoadBalancer.Selector {

    final Endpoint[] endpoints;
    final StaleLatencies latencies;
    final Ticker ticker;

    ObservingSelector(List<Endpoint> candidates, LoadBalancer.Selector previous, Ticker ticker) {
        this.endpoints = candidates.toArray(new Endpoint[0]);
        this.latencies = StaleLatencies.of(endpoints, previous instanceof ObservingSelector p ? p.latencies : null);
        this.ticker = ticker;
    }
}
