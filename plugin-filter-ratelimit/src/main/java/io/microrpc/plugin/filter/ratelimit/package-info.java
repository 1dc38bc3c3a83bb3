/**
 * The rate limiting plugin: {@link io.microrpc.plugin.filter.ratelimit.RateLimit} ({@code ratelimit}), a
 * filter that rejects calls beyond a configured rate per service or method with
 * {@code RESOURCE_EXHAUSTED}. Everything but the extension class is package-private.
 */
package io.microrpc.plugin.filter.ratelimit;
