package io.microrpc.kernel.testing;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.ReferenceOptions;
import io.microrpc.kernel.config.KernelSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** N provider kernels on free ports, each exporting {@link EchoApi} with the test serializer. */
public final class EchoServers implements AutoCloseable {

    private final List<MicroRpc> servers = new ArrayList<>();

    public EchoServers(int count, Path dir) {
        for (int i = 0; i < count; i++) {
            KernelSettings s = KernelSettings.builder()
                    .serverPort(0)
                    .callSerializer("java-test")
                    .pluginsDir(dir.resolve("no-plugins"))
                    .dataDir(dir.resolve("server-data-" + i))
                    .build();
            MicroRpc server = MicroRpc.builder()
                    .settings(s)
                    .extension(new JavaTestSerializer())
                    .start();
            server.export(EchoApi.class, new EchoImpl());
            servers.add(server);
        }
    }

    /** Options addressing every server, with a generous timeout. */
    public ReferenceOptions referenceOptions() {
        ReferenceOptions.Builder b = ReferenceOptions.builder().timeout(Duration.ofSeconds(10));
        servers.forEach(s -> b.address("127.0.0.1:" + s.port()));
        return b.build();
    }

    @Override
    public void close() {
        servers.forEach(MicroRpc::close);
    }
}
