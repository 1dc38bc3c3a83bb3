package io.microrpc.kernel.swap;

/** The interface of the test service plugin; on the test class path, so callers and plugins share it. */
public interface GreeterApi {

    /** Returns the version of the plugin that served the call. */
    String version();
}
