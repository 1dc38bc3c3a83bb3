package io.microrpc.kernel.testplugins;

import io.microrpc.spi.ClientFilter;
import io.microrpc.spi.ClientRequestContext;
import io.microrpc.spi.Invocation;
import io.microrpc.spi.Invoker;
import io.microrpc.spi.PluginContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.pf4j.Extension;

/** A client filter whose {@code start()} misbehaves as its JAR says ({@link Misbehaviour}). */
@Extension
public final class MisbehavingFilter implements ClientFilter {

    /** Starts in this class loader: each plugin JAR loaded gets its own count. */
    private static final AtomicInteger STARTS = new AtomicInteger();

    @Override
    public String name() {
        return "misbehaving";
    }

    @Override
    public void start(PluginContext context) throws Exception {
        Misbehaviour.act(getClass(), STARTS.incrementAndGet());
    }

    @Override
    public void stop() {
        Misbehaviour.stopped();
    }

    @Override
    public CompletableFuture<Object> invoke(ClientRequestContext context, Invocation invocation, Invoker next) {
        return next.invoke(invocation);
    }
}
