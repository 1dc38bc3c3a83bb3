package io.microrpc.kernel.internal.transport;

import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * Creates kernel threads: daemon, named, and with the kernel's class loader as context loader, never
 * the loader of whatever plugin code happened to be running when the thread was first needed (a
 * thread that inherits a plugin's loader keeps it reachable after the plugin is unloaded).
 */
public final class KernelThreadFactory extends DefaultThreadFactory {

    public KernelThreadFactory(String poolName) {
        super(poolName, true);
    }

    @Override
    protected Thread newThread(Runnable r, String name) {
        Thread t = super.newThread(r, name);
        t.setContextClassLoader(KernelThreadFactory.class.getClassLoader());
        return t;
    }
}
