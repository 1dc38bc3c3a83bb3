package io.microrpc.kernel.internal.invoke;

import io.microrpc.spi.ServiceDefinition;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/** The services this kernel serves, by wire name. Thread-safe; lookups are lock-free. */
public final class ExportedServices {

    private final ConcurrentHashMap<String, ExportedService> services = new ConcurrentHashMap<>();

    /**
     * Exports {@code definition}; fails when a service of that name is already exported or when the
     * interface cannot be carried by the protocol (see {@link ServiceModel#of}).
     */
    public ServiceModel export(ServiceDefinition<?> definition, List<Class<?>> extraAllowedTypes) {
        ServiceModel model = ServiceModel.of(definition.type(), extraAllowedTypes);
        ExportedService exported = new ExportedService(model, definition.implementation(), definition.runOnIoThread());
        if (services.putIfAbsent(model.name(), exported) != null) {
            throw new IllegalStateException("service " + model.name() + " is already exported; unexport it first");
        }
        return model;
    }

    /**
     * Exports {@code definition}, replacing a service of the same name: new calls go to the new
     * implementation, calls already running finish on the old one.
     */
    public ServiceModel replace(ServiceDefinition<?> definition, List<Class<?>> extraAllowedTypes) {
        ServiceModel model = ServiceModel.of(definition.type(), extraAllowedTypes);
        services.put(model.name(), new ExportedService(model, definition.implementation(), definition.runOnIoThread()));
        return model;
    }

    public boolean unexport(String serviceName) {
        return services.remove(serviceName) != null;
    }

    ExportedService get(String serviceName) {
        return services.get(serviceName);
    }

    public Set<String> names() {
        return new TreeSet<>(services.keySet());
    }

    public boolean isEmpty() {
        return services.isEmpty();
    }
}
