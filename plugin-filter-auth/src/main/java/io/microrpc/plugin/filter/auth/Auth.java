package io.microrpc.plugin.filter.auth;

import io.microrpc.spi.ClientFilter;
import io.microrpc.spi.ClientRequestContext;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.Invoker;
import io.microrpc.spi.PluginContext;
import io.microrpc.spi.RpcException;
import io.microrpc.spi.ServerFilter;
import io.microrpc.spi.ServerRequestContext;
import io.microrpc.spi.Status;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.pf4j.Extension;

/**
 * The {@code auth} filter. On the server (the default side) every call is authenticated, then
 * authorized, before it runs: the caller's identity comes from an HMAC token or a JWT in the {@code
 * authorization} attachment, or from its mutual-TLS certificate ({@link Authenticator}); the identity
 * must be on the allow-list of the method or its service ({@link AllowList}), and a service without a
 * rule is denied to everyone. A call without a valid credential fails with {@code UNAUTHENTICATED}, one
 * whose caller is not allowed with {@code PERMISSION_DENIED}; both say no more than the caller knows
 * already (the server's log says why, {@link Refusals}). On the client ({@code side=client} or {@code
 * both}) each attempt carries the configured credential, a fresh HMAC token per attempt.
 *
 * <p>It runs first among the filters ({@link #order}): nothing else spends work on a call that will be
 * refused. Thread-safe; never blocks.
 */
@Extension
public final class Auth implements ClientFilter, ServerFilter {

    static final String UNAUTHENTICATED =
            "authentication failed: the call carries no credential this server accepts (filter auth; the"
                    + " server's log says why)";

    private volatile AuthSettings settings;
    private volatile Authenticator authenticator;
    private volatile Refusals refusals;
    private volatile ClientCredentials credentials;

    @Override
    public String name() {
        return "auth";
    }

    @Override
    public void start(PluginContext context) {
        AuthSettings s = AuthSettings.parse(context.config());
        ReplayCache replays = new ReplayCache(context.ticker(), 2 * s.clockSkew.toNanos(), s.replayCacheSize);
        authenticator = new Authenticator(s, context.clock(), replays);
        refusals = new Refusals(context.ticker(), TimeUnit.SECONDS.toNanos(1));
        credentials = s.client ? ClientCredentials.create(s, context) : null;
        settings = s;
    }

    @Override
    public void stop() {
        ClientCredentials c = credentials;
        if (c != null) {
            c.stop();
        }
        Refusals r = refusals;
        if (r != null) {
            r.logTotals();
        }
    }

    /** Calls turned away since this instance started, by reason (what the log's lines count). */
    Map<Reason, Long> refusalCounts() {
        return refusals.counts();
    }

    /** Outermost, before rate limits: a caller that is refused takes nothing from the others' budget. */
    @Override
    public int order() {
        return -2000;
    }

    @Override
    public CompletableFuture<Object> invoke(ServerRequestContext context, Invocation invocation, Invoker next) {
        AuthSettings s = settings;
        if (!s.server) {
            return next.invoke(invocation);
        }
        Authenticator.Outcome outcome = authenticator.authenticate(context, invocation);
        if (outcome.refusal() != null) {
            return refuse(outcome.refusal(), context, invocation, null);
        }
        if (!s.allow.permits(invocation.service(), invocation.methodName(), outcome.identity())) {
            return refuse(Reason.DENIED, context, invocation, outcome.identity());
        }
        return next.invoke(invocation);
    }

    @Override
    public CompletableFuture<Object> invokeAttempt(ClientRequestContext context, Invocation invocation, Invoker next) {
        ClientCredentials c = credentials;
        String credential = c == null ? null : c.credentialFor(invocation);
        return next.invoke(
                credential == null ? invocation : invocation.withAttachment(Authenticator.ATTACHMENT, credential));
    }

    private CompletableFuture<Object> refuse(
            Reason reason, ServerRequestContext context, Invocation invocation, String identity) {
        String target = invocation.service() + '/' + invocation.methodName();
        refusals.refused(reason, target, context.remoteAddress(), identity);
        String description = switch (reason) {
            case NO_CREDENTIAL ->
                "authentication required: the call carries no '"
                        + Authenticator.ATTACHMENT + "' attachment and its connection no client certificate"
                        + " (filter auth)";
            case DENIED -> "permission denied: " + identity + " may not call " + target + " (filter auth)";
            case REPLAY_CACHE_FULL -> "too many calls to check for replays; try again shortly (filter auth)";
            default -> UNAUTHENTICATED;
        };
        // The call did not run.
        return CompletableFuture.failedFuture(
                Status.of(reason.code).withDescription(description).asException(RpcException.Progress.REFUSED));
    }
}
