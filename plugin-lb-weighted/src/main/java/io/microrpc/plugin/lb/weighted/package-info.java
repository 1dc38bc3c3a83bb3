/**
 * The weighted load balancing plugin: {@link io.microrpc.plugin.lb.weighted.SmoothWeightedRoundRobin}
 * ({@code round-robin}) and {@link io.microrpc.plugin.lb.weighted.WeightedRandom} ({@code random}), both
 * with a linear warm-up of newly started instances ({@link io.microrpc.plugin.lb.weighted.Warmup}).
 * Everything but the extension classes is package-private.
 */
package io.microrpc.plugin.lb.weighted;
