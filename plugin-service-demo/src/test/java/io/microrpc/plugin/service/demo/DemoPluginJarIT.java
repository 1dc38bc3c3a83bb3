package io.microrpc.plugin.service.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.microrpc.demo.api.EchoService;
import io.microrpc.demo.api.Gender;
import io.microrpc.demo.api.User;
import io.microrpc.demo.api.UserService;
import io.microrpc.kernel.MicroRpc;
import io.microrpc.kernel.config.ConfigException;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.testing.PackagedPlugin;
import io.microrpc.kernel.testing.RawClient;
import io.microrpc.kernel.testing.RawFrame;
import io.microrpc.spi.RpcException;
import io.microrpc.spi.Status;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo as {@code serve} exports it: the packaged demo and protostuff codec plugin JARs in a
 * provider's plugins folder, called over real connections by a client kernel and by hand-built frames.
 * What a hostile caller sends is refused with a status that names the limit, and the provider keeps
 * answering valid calls.
 */
class DemoPluginJarIT {

    private static final byte PROTOSTUFF = 1;
    private static final String USERS = UserService.class.getName();

    @TempDir
    Path dir;

    private KernelSettings providerSettings;
    private MicroRpc provider;
    private MicroRpc client;
    private UserService users;
    private EchoService echo;

    @BeforeEach
    void start() throws Exception {
        Path plugins = PackagedPlugin.copyInto(dir.resolve("plugins"), "service-demo.jar");
        Files.copy(codecJar(), plugins.resolve("codec-protostuff.jar"));
        Path clientPlugins = Files.createDirectories(dir.resolve("client-plugins"));
        Files.copy(codecJar(), clientPlugins.resolve("codec-protostuff.jar"));

        // Lowered limits, so the test reaches them in a few calls; the default ones are proven in
        // DefaultUserServiceTest.
        providerSettings = KernelSettings.builder()
                .serverHost("127.0.0.1")
                .serverPort(0)
                .pluginsDir(plugins)
                .pluginsWatch(false)
                .configWatch(false)
                .dataDir(dir.resolve("provider"))
                .extensionKey("service.demo.max-users", "3")
                .extensionKey("service.demo.max-string-length", "64")
                .build();
        provider = MicroRpc.builder().settings(providerSettings).start();
        client = MicroRpc.builder()
                .settings(KernelSettings.builder()
                        .pluginsDir(clientPlugins)
                        .pluginsWatch(false)
                        .configWatch(false)
                        .dataDir(dir.resolve("client"))
                        .build())
                .exportServicePlugins(false)
                .start();
        assertThat(provider.exportedServices()).contains(USERS, EchoService.class.getName());
        String address = "127.0.0.1:" + provider.port();
        users = client.reference(UserService.class, address);
        echo = client.reference(EchoService.class, address);
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (provider != null) {
            provider.close();
        }
    }

    @Test
    void theDemoRefusesAnOversizedNameAndTheUserPastTheLimitAndKeepsServing() {
        // The call: a 7 MiB name, which the demo used to keep (62 of them filled a 512 MiB heap).
        User huge = user("x".repeat(7 * 1024 * 1024));
        RpcException tooLong = catchThrowableOfType(RpcException.class, () -> users.createUser(huge));
        assertThat(tooLong.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
        assertThat(tooLong.getMessage())
                .contains("user.name: 7340032 characters (expected: at most 64 characters; "
                        + "the limit is service.demo.max-string-length)");
        assertThat(echo.echo("after the huge name")).isEqualTo("after the huge name");

        long first = users.createUser(user("ada"));
        users.createUser(user("grace"));
        users.createUser(user("barbara"));
        RpcException full = catchThrowableOfType(RpcException.class, () -> users.createUser(user("one too many")));
        assertThat(full.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(full.getMessage())
                .contains("stores at most 3 users and holds 3 (the limit is service.demo.max-users)");

        assertThat(users.getUser(first).getName())
                .as("a valid call after the refusals")
                .isEqualTo("ada");
        assertThat(users.listUser(0)).hasSize(UserService.PAGE_SIZE);
    }

    @Test
    void theLimitsAreLiveKeysAndABadValueIsRefusedNamingTheKey() {
        for (String name : new String[] {"ada", "grace", "barbara"}) {
            users.createUser(user(name));
        }
        assertThat(catchThrowableOfType(RpcException.class, () -> users.createUser(user("refused")))
                        .code())
                .isEqualTo(Status.Code.RESOURCE_EXHAUSTED);

        // An edit restarts the plugin with the new keys: a new, empty store with the new limit.
        assertThat(provider.reconfigure(providerSettings.toBuilder()
                        .extensionKey("service.demo.max-users", "1")
                        .build()))
                .containsExactly("service.demo.max-users: 3 -> 1");
        users.createUser(user("first of the new store"));
        assertThat(catchThrowableOfType(RpcException.class, () -> users.createUser(user("refused")))
                        .getMessage())
                .contains("stores at most 1 users and holds 1");

        assertThat(catchThrowableOfType(
                        ConfigException.class,
                        () -> provider.reconfigure(providerSettings.toBuilder()
                                .extensionKey("service.demo.max-users", "lots")
                                .build())))
                .hasMessageContaining("service.demo.max-users: 'lots' (expected: an integer)");
        assertThat(catchThrowableOfType(
                        ConfigException.class,
                        () -> provider.reconfigure(providerSettings.toBuilder()
                                .extensionKey("service.demo.max-user", "5")
                                .build())))
                .hasMessageContaining("service.demo.max-user: unknown key");
        assertThat(echo.echo("still serving")).isEqualTo("still serving");
    }

    @Test
    void theCodecRefusesAnUnknownEnumConstantSentAsRawBytesAndKeepsServing() throws Exception {
        try (RawClient raw = RawClient.connect(provider.port())) {
            // gender="ROOT": read as a user without a gender before the codec refused it.
            raw.send(RawClient.request(1, (byte) 0, PROTOSTUFF, USERS, "createUser", createUser("ada", "ROOT")));
            RawFrame unknown = raw.read();
            assertThat(unknown.requestId()).isEqualTo(1);
            assertThat(unknown.status()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(unknown.errorMessage()).contains("unknown constant 'ROOT' of enum " + Gender.class.getName());

            // The same field by number, as protostuff writes enums without enums_by_name; out of range.
            raw.send(RawClient.request(2, (byte) 0, PROTOSTUFF, USERS, "createUser", createUserByNumber("ada", 7)));
            RawFrame number = raw.read();
            assertThat(number.status()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(number.errorMessage()).contains("enum " + Gender.class.getName() + " sent by number 7");

            // The same connection still serves a valid call.
            raw.send(RawClient.request(3, (byte) 0, PROTOSTUFF, USERS, "createUser", createUser("ada", "MALE")));
            RawFrame valid = raw.read();
            assertThat(valid.requestId()).isEqualTo(3);
            assertThat(valid.status()).isEqualTo(Status.Code.OK);
        }
        assertThat(users.getUser(DefaultUserService.FIRST_CREATED_ID).getGender())
                .isEqualTo(Gender.MALE);
    }

    private static Path codecJar() {
        String path = System.getProperty("microrpc.codec.jar");
        if (path == null || !path.endsWith(".jar") || !Files.isRegularFile(Path.of(path))) {
            throw new IllegalStateException("microrpc.codec.jar: '" + path + "' (expected: the packaged "
                    + "plugin-codec-protostuff JAR; run with mvn verify, which sets it)");
        }
        return Path.of(path);
    }

    private static User user(String name) {
        User user = new User();
        user.setName(name);
        user.setGender(Gender.FEMALE);
        return user;
    }

    /**
     * The arguments of {@code createUser} as the protostuff codec writes them, by hand: the value's
     * length prefix, then User's field 2 (name) and field 10 (gender) as length-delimited strings.
     */
    private static byte[] createUser(String name, String gender) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        string(body, 2, name);
        string(body, 10, gender);
        return framed(body);
    }

    /** As {@link #createUser(String, String)}, with the gender sent as a varint: field 10, wire type 0. */
    private static byte[] createUserByNumber(String name, int gender) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        string(body, 2, name);
        varint(body, 10 << 3);
        varint(body, gender);
        return framed(body);
    }

    private static void string(ByteArrayOutputStream out, int field, String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        varint(out, field << 3 | 2);
        varint(out, utf8.length);
        out.writeBytes(utf8);
    }

    private static byte[] framed(ByteArrayOutputStream body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        varint(out, body.size() + 1);
        out.writeBytes(body.toByteArray());
        return out.toByteArray();
    }

    private static void varint(ByteArrayOutputStream out, int value) {
        while ((value & ~0x7F) != 0) {
            out.write((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        out.write(value);
    }
}
