/**
 * The contract between the microrpc kernel and its plugins.
 *
 * <p>Every strategy of microrpc is an {@link io.microrpc.spi.Pluggable} of one of these points:
 * {@link io.microrpc.spi.Serializer}, {@link io.microrpc.spi.Registry},
 * {@link io.microrpc.spi.LoadBalancer}, {@link io.microrpc.spi.ClientFilter} and {@link
 * io.microrpc.spi.ServerFilter},
 * {@link io.microrpc.spi.ClusterPolicy} and {@link io.microrpc.spi.ServiceProvider}. Value types in
 * this package are immutable and safe to share between threads. This package depends on the JDK and
 * PF4J's {@code ExtensionPoint} only, so a plugin compiled against it never sees the transport. A call
 * is seen through its {@link io.microrpc.spi.Invocation} (method, arguments, attachments, deadline) and
 * a context per side ({@link io.microrpc.spi.ClientRequestContext}, {@link
 * io.microrpc.spi.ServerRequestContext}).
 */
package io.microrpc.spi;
