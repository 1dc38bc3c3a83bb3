package io.microrpc.kernel.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.admin.AdminServer;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.testing.AlternatingBalancer;
import io.microrpc.kernel.testing.BoardRegistry;
import io.microrpc.kernel.testing.EchoApi;
import io.microrpc.kernel.testing.EchoImpl;
import io.microrpc.kernel.testing.JavaTestSerializer;
import io.microrpc.kernel.testing.RegistryBoard;
import io.microrpc.spi.ServiceInstance;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The launcher's commands find the admin token of the configuration they are given, so an operator
 * never types it; for a kernel of another installation, {@code --admin-token-file} or
 * {@code MICRORPC_ADMIN_TOKEN}; without a token, an error that says what to do.
 */
class AdminCommandsTest {

    private static final String SERVICE = EchoApi.class.getName();

    @TempDir
    Path dir;

    private MicroRpc provider;
    private AdminServer admin;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final CommandLine cl =
            Launcher.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err));

    @BeforeEach
    void setUp() throws IOException {
        RegistryBoard.reset();
        provider = MicroRpc.builder()
                .settings(KernelSettings.builder()
                        .serverPort(0)
                        .serverHost("127.0.0.1")
                        .callSerializer("java-test")
                        .pluginsDir(dir.resolve("none"))
                        .dataDir(dir.resolve("data"))
                        .build())
                .extension(new JavaTestSerializer())
                .extension(new BoardRegistry())
                .extension(new AlternatingBalancer())
                .start();
        provider.export(EchoApi.class, new EchoImpl());
        admin = AdminServer.start(provider, "127.0.0.1", 0);
    }

    @AfterEach
    void tearDown() {
        admin.close();
        provider.close();
        RegistryBoard.reset();
    }

    /** A configuration file naming the endpoint's port and {@code data.dir}, as the installation's does. */
    private Path config(String dataDir) throws IOException {
        Path file = dir.resolve("microrpc-" + dataDir + ".properties");
        Files.writeString(
                file,
                "admin.host=127.0.0.1\nadmin.port=" + admin.address().getPort() + "\ndata.dir="
                        + dir.resolve(dataDir).toString().replace('\\', '/') + "\n");
        return file;
    }

    @Test
    void statusSwitchAndWeightReadTheTokenOfTheirConfiguration() throws Exception {
        String config = config("data").toString();
        assertThat(cl.execute("status", "-c", config)).as(err.toString()).isZero();
        assertThat(out.toString()).contains("exported       " + SERVICE);
        assertThat(cl.execute("switch", "loadbalancer", "alternating", "-c", config))
                .as(err.toString())
                .isZero();
        assertThat(out.toString()).contains("switched loadbalancer to alternating");
        assertThat(cl.execute("weight", "40", "-c", config)).as(err.toString()).isZero();
        assertThat(RegistryBoard.providers(SERVICE))
                .singleElement()
                .extracting(ServiceInstance::weight)
                .isEqualTo(40);
        assertThat(out.toString() + err).doesNotContain(token());
    }

    @Test
    void aMissingTokenFileIsAnErrorSayingWhatToDo() throws Exception {
        Path elsewhere = dir.resolve("elsewhere").resolve("admin.token").toAbsolutePath();
        assertThat(cl.execute("weight", "5", "-c", config("elsewhere").toString()))
                .isEqualTo(2);
        assertThat(err.toString())
                .startsWith("error: no admin token file at " + elsewhere + ": the kernel creates it at its first start")
                .contains("-c FILE")
                .contains("--admin-token-file FILE")
                .contains("MICRORPC_ADMIN_TOKEN");
        assertThat(RegistryBoard.providers(SERVICE).get(0).weight()).isEqualTo(100);
    }

    @Test
    void anotherInstallationsTokenFileOrTheEnvironmentOverride() throws Exception {
        String address = "127.0.0.1:" + admin.address().getPort();
        String config = config("elsewhere").toString();
        assertThat(cl.execute("status", "-c", config, "--admin", address, "--admin-token-file", tokenFile()))
                .as(err.toString())
                .isZero();

        Path wrong = dir.resolve("wrong.token");
        Files.writeString(wrong, "AAAA\n");
        assertThat(cl.execute("status", "--admin", address, "--admin-token-file", wrong.toString()))
                .isEqualTo(2);
        assertThat(err.toString())
                .contains("refused the token of --admin-token-file " + wrong)
                .contains("missing or wrong admin token")
                .doesNotContain(token());

        AdminOptions options = new AdminOptions();
        LauncherOptions launcher = new LauncherOptions();
        launcher.config = Path.of(config);
        AdminClient.Credentials env = options.credentials(launcher, Map.of("MICRORPC_ADMIN_TOKEN", token())::get);
        assertThat(env.source()).isEqualTo("the environment variable MICRORPC_ADMIN_TOKEN");
        assertThat(env.toString()).doesNotContain(token());
        assertThat(new AdminClient(address, env).call("GET", "/health", Map.of()))
                .isEqualTo("ok\n");
        options.tokenFile = Path.of(tokenFile());
        assertThat(options.credentials(launcher, Map.of("MICRORPC_ADMIN_TOKEN", "AAAA")::get)
                        .source())
                .as("the option wins over the environment")
                .startsWith("--admin-token-file");
    }

    private String tokenFile() {
        return admin.tokenFile().toString();
    }

    private String token() throws IOException {
        return Files.readString(admin.tokenFile()).trim();
    }
}
