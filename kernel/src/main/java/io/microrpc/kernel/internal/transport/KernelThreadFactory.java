package io.microrpc.kernel.internal.transport;

import io.netty.util.concurrent.DefaultThreadFactory;
import java.security.AccessController;
import java.security.PrivilegedAction;

/**
 * Creates kernel threads: daemon, named, and with the kernel's class loader as context loader, never
 * the loader of whatever plugin code happened to be running when the thread was first needed (a
 * thread that inherits a plugin's loader keeps it reachable after the plugin is unloaded).
 */
public final class KernelThreadFactory extends DefaultThreadFactory {

    public KernelThreadFactory(String poolName) {
        super(poolName, true);
    }

    /**
     * Creates the thread inside {@code doPrivileged}: on Java 17 a new thread captures the access-control
     * context of every frame on the creating stack, so a thread created lazily while plugin code runs
     * (the first timeout, the first event loop task) would keep that plugin's protection domain, and so
     * its class loader, reachable forever.
     */
    @Override
    @SuppressWarnings("removal")
    protected Thread newThread(Runnable r, String name) {
        Thread t = AccessController.doPrivileged((PrivilegedAction<Thread>) () -> super.newThread(r, name));
        t.setContextClassLoader(KernelThreadFactory.class.getClassLoader());
        return t;
    }
}
