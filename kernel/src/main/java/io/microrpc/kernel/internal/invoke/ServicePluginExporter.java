package io.microrpc.kernel.internal.invoke;

import io.microrpc.kernel.internal.plugin.ContextLoader;
import io.microrpc.kernel.internal.plugin.LoadedExtension;
import io.microrpc.kernel.internal.plugin.PluginHost;
import io.microrpc.spi.ServiceDefinition;
import io.microrpc.spi.ServiceProvider;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the exported services in line with the loaded service plugins: when a service plugin is
 * added, replaced or removed, its services are exported, re-exported or unexported before the new
 * extension snapshot is published, so new calls reach the new implementation while calls already
 * running finish on the old one (whose plugin stays loaded until they are done).
 */
public final class ServicePluginExporter implements PluginHost.SwapListener {

    private static final Logger log = LoggerFactory.getLogger(ServicePluginExporter.class);

    private final ExportedServices exported;
    private final List<Class<?>> extraAllowedTypes;
    private final Consumer<String> onExported;
    private final Consumer<String> onUnexported;
    private final IdentityHashMap<ServiceProvider, List<String>> byProvider = new IdentityHashMap<>();

    /**
     * @param onExported called with each service name exported (binds the server, registers it)
     * @param onUnexported called with each service name no plugin provides any more
     */
    public ServicePluginExporter(
            ExportedServices exported,
            List<Class<?>> extraAllowedTypes,
            Consumer<String> onExported,
            Consumer<String> onUnexported) {
        this.exported = exported;
        this.extraAllowedTypes = extraAllowedTypes;
        this.onExported = onExported;
        this.onUnexported = onUnexported;
    }

    @Override
    public synchronized void beforePublish(List<LoadedExtension> next) {
        List<ServiceProvider> providers = new ArrayList<>();
        for (LoadedExtension e : next) {
            if (e.extension() instanceof ServiceProvider) {
                providers.add((ServiceProvider) e.extension());
            }
        }
        List<String> stillProvided = new ArrayList<>();
        for (ServiceProvider p : providers) {
            List<String> names = byProvider.get(p);
            if (names == null) {
                names = export(p);
                byProvider.put(p, names);
            }
            stillProvided.addAll(names);
        }
        for (Map.Entry<ServiceProvider, List<String>> e : new ArrayList<>(byProvider.entrySet())) {
            if (!providers.contains(e.getKey())) {
                byProvider.remove(e.getKey());
                for (String name : e.getValue()) {
                    if (!stillProvided.contains(name) && exported.unexport(name)) {
                        log.info("Unexported {}: its service plugin was removed", name);
                        onUnexported.accept(name);
                    }
                }
            }
        }
    }

    private List<String> export(ServiceProvider provider) {
        List<String> names = new ArrayList<>();
        List<ServiceDefinition<?>> definitions;
        ClassLoader previous = ContextLoader.enter(provider);
        try {
            definitions = provider.services();
        } catch (RuntimeException | LinkageError e) {
            log.warn("Service plugin '{}' failed to list its services", provider.name(), e);
            return names;
        } finally {
            ContextLoader.exit(previous);
        }
        for (ServiceDefinition<?> d : definitions) {
            try {
                exported.replace(d, extraAllowedTypes);
                names.add(d.serviceName());
                log.info("Exported {} from service plugin '{}'", d, provider.name());
            } catch (RuntimeException e) {
                log.warn("Cannot export {} from service plugin '{}': {}", d, provider.name(), e.getMessage());
            }
        }
        names.forEach(onExported);
        return names;
    }
}
