/**
 * The benchmark of docs/PERFORMANCE.md. {@link io.microrpc.bench.BenchMain} drives closed-loop load
 * ({@link io.microrpc.bench.ClosedLoop}) against a server it spawns in a separate JVM
 * ({@link io.microrpc.bench.ServerProcess} running {@link io.microrpc.bench.ServerMain}): first the raw
 * Netty echo ({@link io.microrpc.bench.RawEchoServer}, {@link io.microrpc.bench.RawEchoClient}), the
 * yardstick, then microrpc over the real plugins, and reports microrpc as ratios to the yardstick.
 *
 * <p>The raw echo reuses the kernel's {@code internal.protocol} framing and {@code internal.transport}
 * transport choice on purpose: the yardstick must put the same bytes on the same kind of socket. This
 * module is a tool of the source tree and is never shipped.
 */
package io.microrpc.bench;
