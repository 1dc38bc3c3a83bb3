/**
 * The failover cluster policy plugin: {@link io.microrpc.plugin.cluster.failover.Failover}
 * ({@code failover}) retries a failed call on other providers with jittered backoff inside the call's
 * deadline, limited by a {@link io.microrpc.plugin.cluster.failover.RetryBudget} per service, and keeps a
 * {@link io.microrpc.plugin.cluster.failover.CircuitBreakers circuit breaker} per provider. Everything
 * but the extension class is package-private.
 */
package io.microrpc.plugin.cluster.failover;
