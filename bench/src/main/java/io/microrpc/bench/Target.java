package io.microrpc.bench;

/** A server under test, running in its own JVM, and a client of it in this one. */
interface Target extends AutoCloseable {

    /** {@code raw} or {@code microrpc}. */
    String name();

    /** Runs {@code scenario} to the end (warm-up, measurement, drain) and returns the measurement. */
    Result run(Scenario scenario, RunSettings settings) throws Exception;

    /** Stops the client and the server process; never throws. */
    @Override
    void close();
}
