package io.microrpc.plugin.filter.ratelimit;

import io.microrpc.spi.Filter;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.Invoker;
import io.microrpc.spi.PluginContext;
import io.microrpc.spi.RpcException;
import io.microrpc.spi.Status;
import io.microrpc.spi.Ticker;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import org.pf4j.Extension;

/**
 * The {@code ratelimit} filter: calls beyond the configured rate of their method or service fail at
 * once with {@code RESOURCE_EXHAUSTED}, naming the limit and its key, without reaching the service. On
 * the server (the default) it sheds load a provider cannot take; on the client it keeps a caller from
 * overrunning a service.
 *
 * <p>A method's own limit ({@code limit.<service>/<method>}) applies to that method alone; a service's
 * ({@code limit.<service>}) to all its other methods together; {@code default} gives every other service
 * a limit of its own. Each limit is a {@link Gcra} bucket on the kernel's ticker. It runs first among the
 * filters ({@link #order}), so rejected calls cost nothing else. Thread-safe; never blocks.
 */
@Extension
public final class RateLimit implements Filter {

    /** Limits of one service, resolved once per service name. */
    private static final class ServiceLimits {
        final Gcra service;
        final Map<String, Gcra> methods;

        ServiceLimits(Gcra service, Map<String, Gcra> methods) {
            this.service = service;
            this.methods = methods;
        }
    }

    private static final ServiceLimits NONE = new ServiceLimits(null, Map.of());

    private final ConcurrentHashMap<String, ServiceLimits> byService = new ConcurrentHashMap<>();
    private volatile RateLimitSettings settings;
    private volatile Ticker ticker;

    @Override
    public String name() {
        return "ratelimit";
    }

    @Override
    public void start(PluginContext context) {
        ticker = context.ticker();
        settings = RateLimitSettings.parse(context.config());
    }

    /** Outermost: a rejected call should not pay for the other filters. */
    @Override
    public int order() {
        return -1000;
    }

    @Override
    public Side side() {
        RateLimitSettings s = settings;
        return s == null ? Side.SERVER : s.side;
    }

    @Override
    public CompletableFuture<Object> invoke(Invocation invocation, Invoker next) {
        ServiceLimits limits = byService.get(invocation.service());
        if (limits == null) {
            limits = byService.computeIfAbsent(invocation.service(), this::resolve);
        }
        if (limits == NONE) {
            return next.invoke(invocation);
        }
        Gcra bucket = limits.methods.get(invocation.methodName());
        boolean methodLimit = bucket != null;
        if (!methodLimit) {
            bucket = limits.service;
        }
        if (bucket == null || bucket.tryAcquire(ticker.nanoTime())) {
            return next.invoke(invocation);
        }
        String target = methodLimit ? invocation.service() + '/' + invocation.methodName() : invocation.service();
        return CompletableFuture.failedFuture(Status.of(Status.Code.RESOURCE_EXHAUSTED)
                .withDescription("rate limit of "
                        + target + " exceeded: " + bucket.rate() + " (filter.ratelimit." + keyOf(target)
                        + ", enforced by the "
                        + settings.side.name().toLowerCase(Locale.ROOT) + ")")
                // The call did not run: a caller's failover may send it to another provider.
                .asException(
                        settings.side == Side.CLIENT ? RpcException.Progress.NOT_SENT : RpcException.Progress.REFUSED));
    }

    private String keyOf(String target) {
        return settings.limits.containsKey(target) ? RateLimitSettings.LIMIT + target : "default";
    }

    private ServiceLimits resolve(String service) {
        RateLimitSettings s = settings;
        Map<String, Gcra> methods = new HashMap<>();
        String prefix = service + '/';
        s.limits.forEach((target, rate) -> {
            if (target.startsWith(prefix)) {
                methods.put(target.substring(prefix.length()), new Gcra(rate, s.burstNanos));
            }
        });
        Rate serviceRate = s.limits.getOrDefault(service, s.defaultRate);
        if (serviceRate == null && methods.isEmpty()) {
            return NONE;
        }
        return new ServiceLimits(serviceRate == null ? null : new Gcra(serviceRate, s.burstNanos), Map.copyOf(methods));
    }
}
