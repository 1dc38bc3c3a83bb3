/**
 * The adaptive load balancing plugin: strategies that read the kernel's live statistics of each
 * endpoint. {@link io.microrpc.plugin.lb.adaptive.LeastActive} ({@code least-active}),
 * {@link io.microrpc.plugin.lb.adaptive.ShortestResponse} ({@code shortest-response}) and
 * {@link io.microrpc.plugin.lb.adaptive.PowerOfTwoChoices} ({@code p2c}). The latency-aware two decay
 * figures that have gone stale ({@link io.microrpc.plugin.lb.adaptive.StaleLatencies}) and hand their
 * observations from a selector to the next; none allocates per pick on a first attempt. Everything but
 * the extension classes is package-private.
 */
package io.microrpc.plugin.lb.adaptive;
