package io.microrpc.plugin.filter.auth;

import io.microrpc.spi.PluginConfig;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Who may call what: {@code allow.<service>} lists the identities that may call every method of a
 * service, {@code allow.<service>/<method>} those that may call one method, replacing the service's
 * list for it (not adding to it). {@code *} stands for any authenticated caller. A method whose service
 * has neither is denied to everyone: deny by default. Immutable, thread-safe.
 */
final class AllowList {

    /** The rules of one service. */
    private record ServiceRules(Set<String> service, Map<String, Set<String>> methods) {}

    static final String ANY = "*";

    private final Map<String, ServiceRules> services;

    private AllowList(Map<String, ServiceRules> services) {
        this.services = services;
    }

    static AllowList parse(PluginConfig c) {
        Map<String, Set<String>> serviceLists = new HashMap<>();
        Map<String, Map<String, Set<String>>> methodLists = new HashMap<>();
        for (Map.Entry<String, String> e : c.asMap().entrySet()) {
            String key = e.getKey();
            if (!key.startsWith(AuthSettings.ALLOW)) {
                continue;
            }
            String target = key.substring(AuthSettings.ALLOW.length());
            int slash = target.indexOf('/');
            if (target.isEmpty() || slash == 0 || slash == target.length() - 1 || slash != target.lastIndexOf('/')) {
                throw c.invalid(key, e.getValue(), "a key allow.<service> or allow.<service>/<method>");
            }
            Set<String> ids = new LinkedHashSet<>();
            for (String id : e.getValue().split(",", -1)) {
                String t = id.trim();
                if (!t.isEmpty()) {
                    ids.add(t);
                }
            }
            if (ids.isEmpty()) {
                throw c.invalid(
                        key,
                        e.getValue(),
                        "a comma-separated list of caller identities, or * for any authenticated caller;"
                                + " to deny everyone, remove the key");
            }
            if (slash < 0) {
                serviceLists.put(target, Set.copyOf(ids));
            } else {
                methodLists
                        .computeIfAbsent(target.substring(0, slash), s -> new HashMap<>())
                        .put(target.substring(slash + 1), Set.copyOf(ids));
            }
        }
        Map<String, ServiceRules> rules = new HashMap<>();
        Set<String> names = new LinkedHashSet<>(serviceLists.keySet());
        names.addAll(methodLists.keySet());
        for (String service : names) {
            rules.put(
                    service,
                    new ServiceRules(
                            serviceLists.get(service), Map.copyOf(methodLists.getOrDefault(service, Map.of()))));
        }
        return new AllowList(Map.copyOf(rules));
    }

    /** Whether {@code identity}, already authenticated, may call {@code method} of {@code service}. */
    boolean permits(String service, String method, String identity) {
        ServiceRules rules = services.get(service);
        if (rules == null) {
            return false;
        }
        Set<String> allowed = rules.methods.get(method);
        if (allowed == null) {
            allowed = rules.service;
        }
        return allowed != null && (allowed.contains(ANY) || allowed.contains(identity));
    }
}
