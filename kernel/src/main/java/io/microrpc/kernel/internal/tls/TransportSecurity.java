package io.microrpc.kernel.internal.tls;

import io.microrpc.kernel.config.ConfigException;
import io.microrpc.kernel.config.KernelSettings;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.nio.channels.ClosedChannelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertPathValidatorException;
import java.security.cert.Certificate;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.TrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The kernel's TLS: one server context and one client context built from {@code tls.*}, and the
 * {@link SslHandler}s made from them for each new connection. The material is reloaded when its files
 * change: new connections use the new contexts, open ones keep the ones they were made with, and
 * material that does not load is refused with a log line while the one in use stays. Thread-safe.
 */
public final class TransportSecurity implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(TransportSecurity.class);

    private final KernelSettings settings;
    private final SslProvider provider;
    private final ScheduledExecutorService reloader;
    private volatile Contexts contexts;
    /** The files' sizes and times at the last load attempt; reload only when they change. */
    private List<Object> seen;

    private TransportSecurity(KernelSettings settings, SslProvider provider, Contexts contexts, List<Object> seen) {
        this.settings = settings;
        this.provider = provider;
        this.contexts = contexts;
        this.seen = seen;
        long interval = settings.tlsReloadInterval().toMillis();
        if (interval > 0) {
            reloader =
                    Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("microrpc-tls-reload", true));
            reloader.scheduleWithFixedDelay(this::reloadIfChanged, interval, interval, TimeUnit.MILLISECONDS);
        } else {
            reloader = null;
        }
    }

    /**
     * The kernel's TLS when {@code tls.enabled}, else null.
     *
     * @throws ConfigException naming the key and what to do, when the material or a setting is unusable
     */
    public static TransportSecurity start(KernelSettings settings) {
        if (!settings.tlsEnabled()) {
            return null;
        }
        SslProvider provider = provider(settings.tlsProvider());
        List<Object> seen = fileStates(settings);
        try {
            Contexts contexts = build(settings, provider, TlsMaterial.load(settings));
            log.info(
                    "TLS on: {} ({}), {}, protocols {}, client certificates {}",
                    providerName(provider),
                    "tls.provider=" + settings.tlsProvider(),
                    contexts.material.describe(),
                    settings.tlsProtocols(),
                    settings.tlsClientAuth());
            warnValidity(contexts.material, Instant.now());
            return new TransportSecurity(settings, provider, contexts, seen);
        } catch (TlsMaterialException e) {
            throw new ConfigException(e.getMessage(), e);
        }
    }

    /**
     * A JDK client context from {@code tls.*} (for the launcher's HTTPS client of the admin endpoint):
     * trusting {@code tls.trust} (else the JDK's trust store), presenting {@code tls.cert} if set.
     *
     * @throws ConfigException naming the key, when the material does not load
     */
    public static SSLContext jdkClientContext(KernelSettings settings) {
        try {
            TlsMaterial m = TlsMaterial.load(settings);
            KeyManagerFactory kmf = null;
            if (m.key != null) {
                KeyStore keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                keys.setKeyEntry("self", m.key, new char[0], m.chain.toArray(new X509Certificate[0]));
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, new char[0]);
            }
            TrustManagerFactory tmf = null;
            if (!m.trust.isEmpty()) {
                KeyStore trust = KeyStore.getInstance("PKCS12");
                trust.load(null, null);
                for (int i = 0; i < m.trust.size(); i++) {
                    trust.setCertificateEntry("ca-" + i, m.trust.get(i));
                }
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trust);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return ctx;
        } catch (TlsMaterialException e) {
            throw new ConfigException(e.getMessage(), e);
        } catch (GeneralSecurityException | IOException e) {
            throw new ConfigException("cannot build a TLS client context from tls.*: " + e, e);
        }
    }

    /** The TLS implementation in use, e.g. "OpenSSL (BoringSSL)" or "JDK". */
    public String providerName() {
        return providerName(provider);
    }

    /** The certificate in use, for logs and the admin endpoint. */
    public String describe() {
        return contexts.material.describe();
    }

    /** True when this kernel can serve TLS: it has a certificate and its key. */
    public boolean canServe() {
        return contexts.server != null;
    }

    /**
     * A handler for a new accepted connection.
     *
     * @throws IllegalStateException without a certificate to serve with ({@link #canServe()})
     */
    public SslHandler newServerHandler(ByteBufAllocator alloc) {
        SslContext server = contexts.server;
        if (server == null) {
            throw new IllegalStateException("tls.enabled without tls.cert and tls.key: nothing to serve with");
        }
        SslHandler h = server.newHandler(alloc);
        h.setHandshakeTimeoutMillis(settings.serverFrameTimeout().toMillis());
        return h;
    }

    /**
     * A handler for a new connection to {@code host:port}, which checks that the server's certificate is
     * valid for {@code tls.server-name}, or else for {@code host}.
     */
    public SslHandler newClientHandler(ByteBufAllocator alloc, String host, int port) {
        String name = settings.tlsServerName().isEmpty() ? host : settings.tlsServerName();
        SslHandler h = contexts.client.newHandler(alloc, name, port);
        h.setHandshakeTimeoutMillis(settings.callConnectTimeout().toMillis());
        return h;
    }

    /**
     * The certificates the peer of {@code engine} presented, its own first; empty if none. Call once the
     * handshake is done.
     */
    public static List<X509Certificate> peerCertificates(SSLEngine engine) {
        try {
            Certificate[] chain = engine.getSession().getPeerCertificates();
            List<X509Certificate> out = new ArrayList<>(chain.length);
            for (Certificate c : chain) {
                out.add((X509Certificate) c);
            }
            return List.copyOf(out);
        } catch (SSLPeerUnverifiedException e) {
            return List.of();
        }
    }

    /**
     * Why a handshake failed, in a sentence an operator can act on (no stack trace): {@code side} is
     * "client" when the peer is a client of this server, else "server".
     */
    public static String describeFailure(Throwable cause, String peerRole) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            CertPathValidatorException.Reason reason =
                    t instanceof CertPathValidatorException ? ((CertPathValidatorException) t).getReason() : null;
            if (t instanceof CertificateExpiredException || reason == CertPathValidatorException.BasicReason.EXPIRED) {
                return "the " + peerRole + "'s certificate expired (" + firstLine(t) + ")";
            }
            if (t instanceof CertificateNotYetValidException
                    || reason == CertPathValidatorException.BasicReason.NOT_YET_VALID) {
                return "the " + peerRole + "'s certificate is not valid yet (" + firstLine(t) + ")";
            }
        }
        Throwable root = cause;
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof NotSslRecordException) {
                return "the " + peerRole + " does not speak TLS (a plaintext peer: " + peerRole
                        + "s need tls.enabled=true)";
            }
            if (t instanceof CertPathValidatorException
                    || (t.getMessage() != null && t.getMessage().contains("PKIX path building failed"))) {
                return "the " + peerRole + "'s certificate is not signed by a CA of tls.trust (" + firstLine(t) + ")";
            }
            if (t.getMessage() != null && t.getMessage().startsWith("No subject alternative")) {
                return "the server's certificate is not valid for the name dialled (" + t.getMessage()
                        + "; set tls.server-name if it is known by another name)";
            }
            root = t;
        }
        String message = String.valueOf(root.getMessage()).toLowerCase(Locale.ROOT);
        if (message.contains("certificate_required")) {
            return "the server requires a client certificate (set tls.cert and tls.key)";
        }
        if (message.contains("alert_certificate_expired") || message.contains("alert: certificate_expired")) {
            return "the " + peerRole + " refused this side's certificate: it expired (replace tls.cert)";
        }
        if (message.contains("unknown_ca")
                || message.contains("bad_certificate")
                || message.contains("certificate_unknown")) {
            return "the " + peerRole + " does not accept this side's certificate (is it signed by a CA of the "
                    + peerRole + "'s tls.trust?)";
        }
        if (message.contains("empty client certificate") || message.contains("peer_did_not_return_a_certificate")) {
            return "the client presented no certificate and tls.client-auth=require";
        }
        if (root instanceof ClosedChannelException
                || (root instanceof SSLException
                        && String.valueOf(root.getMessage()).contains("closed"))) {
            return "the " + peerRole + " closed the connection during the handshake (does it have tls.enabled, and"
                    + " does it accept this side's certificate?)";
        }
        if (root instanceof IOException) {
            return firstLine(root);
        }
        return root.getClass().getSimpleName() + ": " + firstLine(root);
    }

    /** True for the exceptions a failed TLS handshake or a broken TLS record raises. */
    public static boolean isTlsFailure(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof SSLException || t instanceof NotSslRecordException) {
                return true;
            }
        }
        return false;
    }

    @Override
    public void close() {
        if (reloader != null) {
            reloader.shutdownNow();
        }
    }

    /** Loads the files again if their sizes or times changed since the last attempt. Tests call it directly. */
    public synchronized void reloadIfChanged() {
        List<Object> now = fileStates(settings);
        if (now.equals(seen)) {
            return;
        }
        seen = now;
        Contexts current = contexts;
        try {
            TlsMaterial material = TlsMaterial.load(settings);
            if (material.sameAs(current.material)) {
                return;
            }
            contexts = build(settings, provider, material);
            log.info("TLS material reloaded: {}; new connections use it", material.describe());
            warnValidity(material, Instant.now());
        } catch (TlsMaterialException e) {
            log.warn(
                    "TLS material not reloaded: {}; keeping the {} in use",
                    e.getMessage(),
                    current.material.describe());
        } catch (RuntimeException e) {
            log.warn("TLS material not reloaded: {}; keeping the {} in use", e, current.material.describe());
        }
    }

    private static Contexts build(KernelSettings s, SslProvider provider, TlsMaterial m) throws TlsMaterialException {
        ClientAuth clientAuth = clientAuth(s.tlsClientAuth());
        if (clientAuth != ClientAuth.NONE && m.trust.isEmpty()) {
            throw new TlsMaterialException("tls.client-auth=" + s.tlsClientAuth()
                    + " needs tls.trust: the CA certificates that signed the clients' certificates");
        }
        List<String> ciphers = s.tlsCiphers().isEmpty() ? null : s.tlsCiphers();
        SslContext server = null;
        if (m.key != null) {
            SslContextBuilder b = SslContextBuilder.forServer(m.key, m.chain)
                    .sslProvider(provider)
                    .clientAuth(clientAuth)
                    .protocols(s.tlsProtocols())
                    .ciphers(ciphers);
            if (!m.trust.isEmpty()) {
                b.trustManager(m.trust);
            }
            server = check(b, "server");
        }
        SslContextBuilder c = SslContextBuilder.forClient()
                .sslProvider(provider)
                .protocols(s.tlsProtocols())
                .ciphers(ciphers)
                .endpointIdentificationAlgorithm("HTTPS");
        if (m.key != null) {
            c.keyManager(m.key, m.chain);
        }
        if (!m.trust.isEmpty()) {
            c.trustManager(m.trust);
        }
        return new Contexts(server, check(c, "client"), m);
    }

    /** Builds the context and one engine from it, so a protocol or cipher suite it refuses fails here. */
    private static SslContext check(SslContextBuilder b, String side) throws TlsMaterialException {
        try {
            SslContext ctx = b.build();
            ReferenceCountUtil.release(ctx.newEngine(ByteBufAllocator.DEFAULT));
            return ctx;
        } catch (SSLException | IllegalArgumentException e) {
            throw new TlsMaterialException(
                    "the TLS " + side + " context cannot be built from tls.protocols, tls.ciphers and the"
                            + " certificate: " + e.getMessage(),
                    e);
        }
    }

    private static ClientAuth clientAuth(String value) {
        switch (value) {
            case "require":
                return ClientAuth.REQUIRE;
            case "optional":
                return ClientAuth.OPTIONAL;
            default:
                return ClientAuth.NONE;
        }
    }

    private static SslProvider provider(String setting) {
        switch (setting) {
            case "jdk":
                return SslProvider.JDK;
            case "openssl":
                if (!OpenSsl.isAvailable()) {
                    throw new ConfigException("tls.provider=openssl, but OpenSSL (netty-tcnative) does not load here ("
                            + OpenSsl.unavailabilityCause() + "); use tls.provider=auto or jdk");
                }
                return SslProvider.OPENSSL;
            default:
                return OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
        }
    }

    private static String providerName(SslProvider provider) {
        return provider == SslProvider.JDK ? "JDK" : "OpenSSL (" + OpenSsl.versionString() + ")";
    }

    private static void warnValidity(TlsMaterial m, Instant now) {
        for (X509Certificate c : m.chain) {
            if (c.getNotAfter().toInstant().isBefore(now)) {
                log.warn(
                        "TLS certificate {} expired on {}: peers will refuse it; replace tls.cert",
                        c.getSubjectX500Principal().getName(),
                        c.getNotAfter().toInstant());
            } else if (c.getNotBefore().toInstant().isAfter(now)) {
                log.warn(
                        "TLS certificate {} is not valid before {}: peers will refuse it until then",
                        c.getSubjectX500Principal().getName(),
                        c.getNotBefore().toInstant());
            }
        }
    }

    /** What identifies each file's content cheaply: its size and modification time (following links). */
    private static List<Object> fileStates(KernelSettings s) {
        List<Object> out = new ArrayList<>();
        for (Path p : List.of(s.tlsCert(), s.tlsKey(), s.tlsTrust())) {
            if (!TlsMaterial.isSet(p)) {
                out.add("-");
                continue;
            }
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                out.add(a.size() + "@" + a.lastModifiedTime().toMillis() + "#" + a.fileKey());
            } catch (IOException e) {
                out.add("missing");
            }
        }
        return out;
    }

    private static String firstLine(Throwable t) {
        String m = String.valueOf(t.getMessage());
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    private static final class Contexts {
        final SslContext server;
        final SslContext client;
        final TlsMaterial material;

        Contexts(SslContext server, SslContext client, TlsMaterial material) {
            this.server = server;
            this.client = client;
            this.material = material;
        }
    }
}
