package io.microrpc.plugin.lb.adaptive;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * State kept per service: the kernel uses one balancer instance for every service, and each service
 * has its own candidates. Thread-safe; a lookup of an existing entry is one lock-free map read.
 * Entries live as long as the balancer (one per service this process calls).
 */
final class PerService<T> {

    private final ConcurrentHashMap<String, T> states = new ConcurrentHashMap<>();
    private final Function<String, T> factory;

    PerService(Function<String, T> factory) {
        this.factory = factory;
    }

    T get(String service) {
        T state = states.get(service);
        return state != null ? state : states.computeIfAbsent(service, factory);
    }
}
