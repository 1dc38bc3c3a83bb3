package io.microrpc.kernel.launcher;

import io.microrpc.kernel.tls.DevCertificates;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code microrpc tls-init DIR}: a throwaway CA and a server and client certificate, for development. */
@Command(
        name = "tls-init",
        mixinStandardHelpOptions = true,
        description = "Write a development CA and a server and client certificate signed by it into DIR (ca.pem, "
                + "server-cert.pem, server-key.pem, client-cert.pem, client-key.pem; the server certificate is valid "
                + "for localhost and 127.0.0.1, all for a year; the CA's key is not kept). For development and "
                + "tests: production certificates come from your CA. Prints the tls.* settings that use them.")
public final class TlsInitCommand implements Callable<Integer> {

    @Parameters(
            index = "0",
            paramLabel = "DIR",
            description = "Folder to write into (created; files never overwritten).")
    Path dir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        DevCertificates.writeDevelopmentSet(dir);
        Path abs = dir.toAbsolutePath().normalize();
        PrintWriter out = spec.commandLine().getOut();
        out.println("Wrote a development CA and certificates into " + abs + " (keys readable by you only).");
        out.println();
        out.println("# a server (provider), mutual TLS: in its conf/microrpc.properties");
        out.println("tls.enabled=true");
        out.println("tls.cert=" + abs.resolve(DevCertificates.SERVER_CERT));
        out.println("tls.key=" + abs.resolve(DevCertificates.SERVER_KEY));
        out.println("tls.trust=" + abs.resolve(DevCertificates.CA));
        out.println("tls.client-auth=require");
        out.println();
        out.println("# a client (consumer)");
        out.println("tls.enabled=true");
        out.println("tls.cert=" + abs.resolve(DevCertificates.CLIENT_CERT));
        out.println("tls.key=" + abs.resolve(DevCertificates.CLIENT_KEY));
        out.println("tls.trust=" + abs.resolve(DevCertificates.CA));
        out.flush();
        return 0;
    }
}
