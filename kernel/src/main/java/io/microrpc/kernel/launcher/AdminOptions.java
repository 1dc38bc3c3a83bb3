package io.microrpc.kernel.launcher;

import io.microrpc.kernel.admin.AdminToken;
import io.microrpc.kernel.config.KernelSettings;
import io.microrpc.kernel.internal.tls.TransportSecurity;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.UnaryOperator;
import javax.net.ssl.SSLContext;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The options of the commands that drive a running kernel ({@code --admin}, {@code --admin-token-file}),
 * the token they send, and the request.
 */
public final class AdminOptions {

    /** The environment variable holding a token, for a kernel of another installation. */
    static final String TOKEN_ENV = "MICRORPC_ADMIN_TOKEN";

    @Option(
            names = "--admin",
            paramLabel = "HOST:PORT",
            description = "Admin endpoint (default: admin.host:admin.port).")
    String admin;

    @Option(
            names = "--admin-token-file",
            paramLabel = "FILE",
            description =
                    "File holding the admin token (default: admin.token-file, else <data.dir>/admin.token, of the "
                            + "configuration; or the token itself in the environment variable " + TOKEN_ENV + ").")
    Path tokenFile;

    /** Sends the request to the admin endpoint and prints its answer on the command's output; returns the exit code. */
    int callAndPrint(LauncherOptions options, CommandSpec spec, String method, String path, Map<String, String> query)
            throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        out.print(client(options).call(method, path, query));
        out.flush();
        return 0;
    }

    /**
     * A client of the endpoint these options name, with the token they lead to. It speaks HTTPS, trusting
     * the configuration's {@code tls.trust} and presenting its {@code tls.cert}, for an {@code --admin}
     * given as {@code https://host:port}, or when the configured {@code admin.host} is not a loopback
     * address and {@code tls.enabled} is true (the endpoint then serves HTTPS).
     */
    AdminClient client(LauncherOptions options) throws IOException {
        String address = options.adminAddress(admin);
        boolean https = address.startsWith("https://");
        if (https) {
            address = address.substring("https://".length());
        } else if (address.startsWith("http://")) {
            address = address.substring("http://".length());
        } else if (admin == null) {
            KernelSettings s = options.settings();
            https = s.tlsEnabled() && !InetAddress.getByName(s.adminHost()).isLoopbackAddress();
        }
        SSLContext tls = https ? TransportSecurity.jdkClientContext(options.settings()) : null;
        return new AdminClient(address, credentials(options, System::getenv), tls);
    }

    /**
     * The token to send: from {@code --admin-token-file}; else the environment variable
     * {@value #TOKEN_ENV}; else the file the configuration's kernels use ({@link AdminToken#file}).
     */
    AdminClient.Credentials credentials(LauncherOptions options, UnaryOperator<String> environment) throws IOException {
        if (tokenFile != null) {
            return fromFile(tokenFile, "--admin-token-file " + tokenFile);
        }
        String token = environment.apply(TOKEN_ENV);
        if (token != null && !token.isBlank()) {
            return new AdminClient.Credentials("Bearer " + token.trim(), "the environment variable " + TOKEN_ENV);
        }
        Path file = AdminToken.file(options.settings());
        return fromFile(file, "admin token file " + file);
    }

    private static AdminClient.Credentials fromFile(Path file, String source) throws IOException {
        try {
            return new AdminClient.Credentials(AdminToken.load(file).authorization(), source);
        } catch (NoSuchFileException e) {
            throw new IOException("no admin token file at " + file.toAbsolutePath() + ": the kernel creates it at its "
                    + "first start (admin.token-file, default <data.dir>/admin.token). Run this command with the "
                    + "configuration of the running kernel (-c FILE), or, for a kernel of another installation, pass "
                    + "--admin-token-file FILE or set " + TOKEN_ENV + ".");
        } catch (AccessDeniedException e) {
            throw new IOException("cannot read the admin token file " + file.toAbsolutePath() + ": only its owner may "
                    + "(it is the admin endpoint's password); run this command as the user that runs the kernel");
        }
    }
}
