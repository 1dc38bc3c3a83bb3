package io.microrpc.plugin.filter.ratelimit;

import io.microrpc.spi.PluginConfig;
import io.microrpc.spi.RequestContext;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The {@code filter.ratelimit.*} keys, parsed once. Immutable. Every invalid value fails {@link #parse}
 * with the full key, the value and what was expected; docs/CONFIGURATION.md lists the keys.
 */
final class RateLimitSettings {

    static final String LIMIT = "limit.";

    /** Whether calls this kernel serves are limited. */
    final boolean server;
    /** Whether calls this kernel makes are limited. */
    final boolean client;

    final long burstNanos;
    /** The rate of every service without a limit of its own; null = none. */
    final Rate defaultRate;
    /** By target: a service name, or {@code service/method}. */
    final Map<String, Rate> limits;

    private RateLimitSettings(PluginConfig c) {
        // Each side keeps buckets of its own, so "both" limits a kernel's outgoing and incoming calls
        // separately, each at the configured rate.
        Set<RequestContext.Side> sides = c.getSides("side", "server");
        server = sides.contains(RequestContext.Side.SERVER);
        client = sides.contains(RequestContext.Side.CLIENT);
        Duration burst = c.getDuration("burst", Duration.ofSeconds(1));
        if (burst.isNegative()) {
            throw c.invalid("burst", burst.toString(), ">= 0, e.g. 1s: calls may run that far ahead of the rate");
        }
        burstNanos = burst.toNanos();
        String d = c.getString("default", "");
        defaultRate = d.isBlank() ? null : rate(c, "default", d);
        Map<String, Rate> l = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : c.asMap().entrySet()) {
            String key = e.getKey();
            if (key.startsWith(LIMIT)) {
                String target = key.substring(LIMIT.length());
                if (target.isEmpty()
                        || target.startsWith("/")
                        || target.endsWith("/")
                        || target.indexOf('/') != target.lastIndexOf('/')) {
                    throw c.invalid(key, e.getValue(), "a key limit.<service> or limit.<service>/<method>");
                }
                l.put(target, rate(c, key, e.getValue()));
            } else if (!key.equals("side") && !key.equals("burst") && !key.equals("default")) {
                throw c.invalid(
                        key, e.getValue(), "one of side, burst, default, limit.<service>, limit.<service>/<method>");
            }
        }
        limits = Map.copyOf(l);
    }

    static RateLimitSettings parse(PluginConfig config) {
        return new RateLimitSettings(config);
    }

    private static Rate rate(PluginConfig c, String key, String value) {
        try {
            return Rate.parse(value);
        } catch (IllegalArgumentException e) {
            throw c.invalid(key, value, e.getMessage());
        }
    }
}
