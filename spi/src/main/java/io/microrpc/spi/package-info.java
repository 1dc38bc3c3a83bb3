/**
 * The contract between the microrpc kernel and its plugins.
 *
 * <p>Every strategy of microrpc is an {@link io.microrpc.spi.Extension} of one of these points:
 * {@link io.microrpc.spi.Serializer}, {@link io.microrpc.spi.Registry},
 * {@link io.microrpc.spi.LoadBalancer}, {@link io.microrpc.spi.Filter},
 * {@link io.microrpc.spi.ClusterPolicy} and {@link io.microrpc.spi.ServiceProvider}. Value types in
 * this package are immutable and safe to share between threads. This package depends on the JDK and
 * PF4J's {@code ExtensionPoint} only, so a plugin compiled against it never sees the transport.
 */
package io.microrpc.spi;
