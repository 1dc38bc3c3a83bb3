package io.microrpc.kernel.internal.invoke;

/** A service this kernel serves: its model, implementation, and whether it runs on the IO thread. */
final class ExportedService {

    final ServiceModel model;
    final Object implementation;
    final boolean runOnIoThread;

    ExportedService(ServiceModel model, Object implementation, boolean runOnIoThread) {
        this.model = model;
        this.implementation = implementation;
        this.runOnIoThread = runOnIoThread;
    }
}
