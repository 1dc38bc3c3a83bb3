/**
 * The consistent-hash load balancing plugin: {@link io.microrpc.plugin.lb.consistenthash.ConsistentHash}
 * ({@code consistent-hash}), a ketama-style ring of virtual nodes ({@link
 * io.microrpc.plugin.lb.consistenthash.Ring}) built per selector, a key chosen per method ({@link
 * io.microrpc.plugin.lb.consistenthash.KeySpec}) and an optional bound on any node's load. Everything but
 * the extension class is package-private.
 */
package io.microrpc.plugin.lb.consistenthash;
