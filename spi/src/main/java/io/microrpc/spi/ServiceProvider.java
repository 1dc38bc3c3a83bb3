package io.microrpc.spi;

import java.util.List;

/**
 * A service plugin: contributes service implementations that {@code microrpc serve} exports, so a
 * whole service is deployed by dropping a JAR into the plugins folder.
 *
 * <p>{@link #services()} is called on a kernel thread after {@link #start}; the implementations it
 * returns are called concurrently from worker threads and must be thread-safe.
 */
public interface ServiceProvider extends Pluggable {

    List<ServiceDefinition<?>> services();
}
