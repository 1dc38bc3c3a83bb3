package io.microrpc.bench;

import java.util.List;

/**
 * The yardstick: {@link RawEchoServer} in its own JVM, driven by a {@link RawEchoClient} through the
 * same asynchronous closed loop as microrpc's echo. Each scenario gets a new connection whose requests
 * carry a body as large as microrpc's request body for that scenario.
 */
final class RawTarget implements Target {

    private final ServerProcess server;

    private RawTarget(ServerProcess server) {
        this.server = server;
    }

    static RawTarget start(List<String> serverJvmArgs) throws Exception {
        return new RawTarget(ServerProcess.start("raw", serverJvmArgs, "raw"));
    }

    @Override
    public String name() {
        return "raw";
    }

    /** The raw echo's label for the echo scenario {@code echo}, e.g. {@code raw-echo-128}. */
    static String label(Scenario echo) {
        return "raw-" + echo.label;
    }

    @Override
    public Result run(Scenario scenario, RunSettings settings) throws Exception {
        if (scenario.echoMethod == null || scenario.mode != Scenario.Mode.ASYNC) {
            throw new IllegalArgumentException("raw target runs the async echo scenarios only, not " + scenario);
        }
        int bodySize = Payloads.rawBodyFor(scenario);
        try (RawEchoClient client = RawEchoClient.connect(ServerMain.HOST, server.port(), bodySize)) {
            ClosedLoop loop = settings.loop(r -> r instanceof Integer && (Integer) r == bodySize);
            Result result = loop.runAsync(label(scenario), name(), client::call);
            Reports.warnOnErrors(result, loop.firstError());
            return result;
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
